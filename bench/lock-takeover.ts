// (e) Lock takeover: how long after an apply holding the state lock is killed with SIGKILL the
// next apply takes the lock over. The Kubernetes backend's Lease (src/state/lease-lock.ts) runs
// out `leaseDurationSeconds` after the holder's last renewal (it renews every third of the
// duration), and a waiting run looks every LOCK_RETRY_MS; the local backend's lock file names a
// pid, and a holder gone from this host is taken over at once (src/state/local-file.ts).
//
// Per run: cluster1 reset and the state removed; `meshctl apply` started in one directory; once
// its lock exists (the Lease in cluster2's meshctl-system, or meshctl.state.json.lock), its
// process group is SIGKILLed; a second apply is started at once (Kubernetes: from another
// directory, with --lock-timeout 120s; local: the same directory, no --lock-timeout) and the time
// from the kill until its stderr says "State lock taken over" is the figure. The second apply
// must then complete the mesh.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_RETRY_MS } from '../src/state/backend.js';
import { resetClusters } from '../test/harness/reset.js';
import { kubectl } from '../test/harness/kubectl.js';
import { meshctlEntry, meshctlEnv, type BenchContext } from './context.js';
import { summarize, type Summary } from './measure.js';

const NS = 'meshctl-system';
const MESH = 'lock-bench';
const LEASE = `meshctl-lock-${MESH}`;
const NEXT_LOCK_TIMEOUT = '120s';

export interface TakeoverRun {
  /** From the SIGKILL until the next apply's stderr said "State lock taken over". */
  readonly takeoverMs: number;
  /** From the next apply's spawn until the takeover. */
  readonly afterSpawnMs: number;
  /** Kubernetes: how long before the kill the holder last renewed (the Lease's renewTime). */
  readonly renewedBeforeKillMs?: number;
  /** Kubernetes: takeover − (duration − renewedBeforeKill): the waiter's polling and requests. */
  readonly lateMs?: number;
  /** The next apply printed "Waiting up to … for the state lock" before it took over. */
  readonly waited: boolean;
  /** The next apply's wall time; it completed the mesh (exit 0, "Apply complete!"). */
  readonly nextApplyMs: number;
}

export interface LeaseTakeover {
  readonly leaseDurationSeconds: number;
  /** The holder's renewal interval: a third of the duration (at least 1 s). */
  readonly renewIntervalMs: number;
  readonly takeoverMs: Summary;
  readonly runs: readonly TakeoverRun[];
}

export interface LockTakeoverResult {
  readonly runsPerCase: number;
  /** The waiter's poll interval (LOCK_RETRY_MS, src/state/backend.ts). */
  readonly pollMs: number;
  readonly kubernetes: readonly LeaseTakeover[];
  /** The local backend: the holder's pid is gone from this host. */
  readonly local: { readonly takeoverMs: Summary; readonly runs: readonly TakeoverRun[] };
}

/** One primary in cluster1, the state (with `state`) elsewhere; test/e2e/state-kubernetes.test.ts's mesh. */
const meshYaml = (state: string) => `apiVersion: meshctl.io/v1alpha1
kind: Mesh
meshID: ${MESH}
istio:
  version: "1.31.0"
networks: [network1]
trust:
  none: {}
${state}clusters:
  cluster1: { context: cluster1, role: primary, network: network1 }
`;

const ms = (x: number) => Math.round(x * 10) / 10;

interface Running {
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  /** performance.now() of the first stderr chunk holding the text, once seen. */
  firstSeen(text: string): number | undefined;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string; endedAt: number }>;
}

/** meshctl in its own process group (so a SIGKILL takes istioctl with it), output timestamped. */
function start(ctx: BenchContext, args: readonly string[], cwd: string): Running {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [meshctlEntry, ...args], { cwd, env: meshctlEnv(ctx), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const seen = new Map<string, number>();
  const watched = ['State lock taken over'];
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => {
    const t = performance.now();
    stderr += d;
    for (const w of watched) if (!seen.has(w) && stderr.includes(w)) seen.set(w, t);
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; endedAt: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, endedAt: performance.now() }));
  });
  return { child, spawnedAt, firstSeen: (text) => seen.get(text), done };
}

async function until(what: string, f: () => Promise<boolean> | boolean, o: { timeoutMs: number; intervalMs: number; holder: Running }): Promise<void> {
  const deadline = performance.now() + o.timeoutMs;
  let exited = false;
  void o.holder.done.then(() => (exited = true));
  for (;;) {
    if (await f()) return;
    if (exited) {
      const r = await o.holder.done;
      throw new Error(`the holder's apply exited (${r.code}) before ${what}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}

function readable(file: string): boolean {
  try {
    return typeof (JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid === 'number';
  } catch {
    return false;
  }
}

/** Kills the holder's process group with SIGKILL; resolves once it is reaped (no zombie pid left). */
async function kill(holder: Running): Promise<number> {
  process.kill(-holder.child.pid!, 'SIGKILL');
  const at = performance.now();
  await holder.done;
  return at;
}

async function nextApply(ctx: BenchContext, next: Running, killedAt: number): Promise<Omit<TakeoverRun, 'renewedBeforeKillMs' | 'lateMs'>> {
  const r = await next.done;
  const tookOver = next.firstSeen('State lock taken over');
  if (r.code !== 0 || !/Apply complete!/.test(r.stdout) || tookOver === undefined) {
    throw new Error(`the next apply did not take the lock over and complete (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  const run = {
    takeoverMs: ms(tookOver - killedAt),
    afterSpawnMs: ms(tookOver - next.spawnedAt),
    waited: /Waiting up to \d+s for the state lock/.test(r.stdout),
    nextApplyMs: ms(r.endedAt - next.spawnedAt),
  };
  ctx.log(`    taken over ${(run.takeoverMs / 1000).toFixed(2)} s after the kill${run.waited ? ' (it waited)' : ''}; the next apply took ${(run.nextApplyMs / 1000).toFixed(1)} s`);
  return run;
}

export async function benchLockTakeover(ctx: BenchContext, o: { durations: readonly number[]; runs: number }): Promise<LockTakeoverResult> {
  const onState = (args: string[]) => kubectl(ctx.kubectl, 'cluster2', args);
  const applyArgs = ['apply', '--auto-approve', '--verify=false'];
  // Whatever an earlier part left on the two clusters this part uses.
  await resetClusters(ctx.kubectl, ['cluster1', 'cluster2']);
  await onState(['delete', 'namespace', NS, '--ignore-not-found', '--timeout=120s']);
  await onState(['create', 'namespace', NS]);

  const kubernetes: LeaseTakeover[] = [];
  for (const seconds of o.durations) {
    ctx.log(`lock takeover: Kubernetes Lease, leaseDurationSeconds ${seconds}`);
    const a = join(ctx.workDir, `lock-k8s-${seconds}-a`);
    const b = join(ctx.workDir, `lock-k8s-${seconds}-b`);
    const state = `state:\n  kubernetes:\n    context: cluster2\n    namespace: ${NS}\n    leaseDurationSeconds: ${seconds}\n`;
    for (const dir of [a, b]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'mesh.yaml'), meshYaml(state));
    }
    const runs: TakeoverRun[] = [];
    for (let i = 0; i < o.runs; i++) {
      ctx.log(`  run ${i + 1}/${o.runs}`);
      await resetClusters(ctx.kubectl, ['cluster1']);
      await onState(['delete', 'secrets,leases', '-n', NS, '--all', '--ignore-not-found']);
      const holder = start(ctx, applyArgs, a);
      await until(`the Lease ${NS}/${LEASE}`, async () => (await onState(['get', 'lease', LEASE, '-n', NS, '--ignore-not-found', '-o', 'name'])).trim() !== '', {
        timeoutMs: 120_000,
        intervalMs: 100,
        holder,
      });
      const killedAt = await kill(holder);
      const killedAtEpoch = Date.now() - (performance.now() - killedAt);
      const next = start(ctx, [...applyArgs, '--lock-timeout', NEXT_LOCK_TIMEOUT], b);
      // The holder is dead: the Lease's renewTime is its last renewal.
      const renewTime = Date.parse((await onState(['get', 'lease', LEASE, '-n', NS, '-o', 'jsonpath={.spec.renewTime}'])).trim());
      const renewedBeforeKillMs = killedAtEpoch - renewTime;
      const run = await nextApply(ctx, next, killedAt);
      runs.push({ ...run, renewedBeforeKillMs: ms(renewedBeforeKillMs), lateMs: ms(run.takeoverMs - (seconds * 1000 - renewedBeforeKillMs)) });
    }
    kubernetes.push({ leaseDurationSeconds: seconds, renewIntervalMs: ms(Math.max(1000, (seconds * 1000) / 3)), takeoverMs: summarize(runs.map((r) => r.takeoverMs)), runs });
  }

  ctx.log('lock takeover: local lock file, holder SIGKILLed');
  const dir = join(ctx.workDir, 'lock-local');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mesh.yaml'), meshYaml(''));
  const stateFile = join(dir, 'meshctl.state.json');
  const lockFile = `${stateFile}.lock`;
  const local: TakeoverRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    ctx.log(`  run ${i + 1}/${o.runs}`);
    await resetClusters(ctx.kubectl, ['cluster1']);
    for (const f of [stateFile, `${stateFile}.backup`, lockFile]) rmSync(f, { force: true });
    const holder = start(ctx, applyArgs, dir);
    // Written whole (not a kill between its create and its write, which leaves an unreadable lock).
    await until(lockFile, () => existsSync(lockFile) && readable(lockFile), { timeoutMs: 120_000, intervalMs: 10, holder });
    const killedAt = await kill(holder);
    local.push(await nextApply(ctx, start(ctx, applyArgs, dir), killedAt));
  }
  await onState(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  return { runsPerCase: o.runs, pollMs: LOCK_RETRY_MS, kubernetes, local: { takeoverMs: summarize(local.map((r) => r.takeoverMs)), runs: local } };
}
