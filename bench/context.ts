// What every benchmark suite gets: the binaries, the clusters' kubeconfig, how to run meshctl
// (the compiled CLI, as a user runs it) and kubectl, the run counts and a logger.
import { join, resolve } from 'node:path';
import { timed, type RunOptions, type Sample } from './measure.js';
import type { Kubectl } from '../test/harness/kubectl.js';

export const repoRoot = resolve(import.meta.dirname, '..');
export const meshctlEntry = join(repoRoot, 'bin', 'meshctl.js');

export interface BenchContext {
  readonly binDir: string;
  readonly kubeconfig: string;
  readonly kubectl: Kubectl;
  /** Measured rounds and warm-up rounds per figure. */
  readonly runs: number;
  readonly warmup: number;
  /** Rounds for the scaling applies (each needs a reset of up to 16 clusters). */
  readonly scaleApplyRuns: number;
  readonly workDir: string;
  log(line: string): void;
  /** Runs `f` with the simulator paused (see Simulator.setPaused): for no-op plan figures. */
  quiet<T>(f: () => Promise<T>): Promise<T>;
}

export function meshctlEnv(ctx: BenchContext, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: ctx.kubeconfig, MESHCTL_ISTIOCTL: join(ctx.binDir, 'istioctl'), NO_COLOR: '1', MESHCTL_STATS: '1', ...extra };
}

export function meshctl(ctx: BenchContext, args: readonly string[], opts: RunOptions & { cwd: string }): Promise<Sample> {
  return timed(process.execPath, [meshctlEntry, ...args], { ...opts, env: opts.env ?? meshctlEnv(ctx) });
}

export function kubectl(ctx: BenchContext, context: string, args: readonly string[], opts: RunOptions = {}): Promise<Sample> {
  return timed(ctx.kubectl.binary, ['--kubeconfig', ctx.kubeconfig, `--context=${context}`, ...args], opts);
}
