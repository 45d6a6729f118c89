// Runs the real meshctl CLI (compiled dist/) as a child process, the way a user runs it, with
// the local clusters' kubeconfig and the pinned istioctl.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { binPath, e2eEnvironment } from '../../harness/e2e.js';

const root = resolve(import.meta.dirname, '../../..');
const entry = join(root, 'bin', 'meshctl.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (tsc, then the bundle) when it is missing or older than src/, so e2e never runs a stale CLI. */
export function ensureBuilt(): void {
  const bundle = join(root, 'dist', 'bundle', 'main.js');
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestMtime(join(root, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building meshctl failed:\n${r.stdout}${r.stderr}`);
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function meshctlEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = e2eEnvironment();
  return { ...process.env, KUBECONFIG: env.kubeconfigPath, MESHCTL_ISTIOCTL: binPath('istioctl'), NO_COLOR: '1', ...extra };
}

export function startMeshctl(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, [entry, ...args], { cwd: opts.cwd, env: meshctlEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function meshctl(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  ensureBuilt();
  const child = startMeshctl(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}
