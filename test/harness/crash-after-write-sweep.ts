// The kill sweep (docs/resume.md), shared by test/e2e/kill-sweep.test.ts (a stride of kill points)
// and scripts/kill-sweep.ts (every one): an apply of a mesh is SIGKILLed right after its k-th
// state write (crash-after-write.mjs, a preload; nothing in meshctl knows), then run again, and
// the result must be what a clean apply makes:
//
//   - the resumed apply exits 0 (verify included), and `plan --detailed-exitcode` then exits 0;
//   - every cluster holds the same objects as after the clean apply (nothing duplicated, nothing
//     left over from the killed run), and every cacerts Secret holds one root;
//   - the state lists the same objects and units as the clean apply's, each applied, each in the
//     cluster (with the uid the state recorded), and every object meshctl manages is in it;
//   - destroy then leaves every cluster as it was found.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { objectAddress, refOf, type KubeObject } from '../../src/kube/object.js';
import { everything, type Obj } from '../e2e/support/compare.js';
import type { Kubectl } from './kubectl.js';
import { resetClusters } from './reset.js';

const root = resolve(import.meta.dirname, '../..');
const entry = join(root, 'bin', 'meshctl.js');
export const CRASH_PRELOAD = join(import.meta.dirname, 'crash-after-write.mjs');
const STATE = 'meshctl.state.json';

export interface SweepEnv {
  readonly kubectl: Kubectl;
  readonly istioctl: string;
  /** The mesh's clusters (contexts of kubectl.kubeconfig). */
  readonly contexts: readonly string[];
  /** The mesh.yaml copied into each run's directory. */
  readonly mesh: string;
  /** Extra flags for the resuming apply (e.g. --verify=false). */
  readonly resumeFlags?: readonly string[];
}

/** Kill right after the k-th state write, or right after the write that completes the apply. */
export type KillAt = number | 'last';

export interface CliRun {
  readonly args: readonly string[];
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** State writes the run made (renames onto the state file), as the preload counted them. */
  readonly writes: number;
  /** The write after which the preload killed the run. */
  readonly killedAfter?: number;
  readonly ms: number;
}

/**
 * `meshctl <args>` in `dir` under the preload: killed right after write `crashAfter`, or only
 * counted. "last" needs `units`, the number of units of the complete mesh.
 */
export function runMeshctl(env: SweepEnv, args: readonly string[], o: { dir: string; crashAfter?: KillAt; units?: number }): Promise<CliRun> {
  const log = join(o.dir, `.writes-${process.hrtime.bigint()}.log`);
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', CRASH_PRELOAD, entry, ...args], {
    cwd: o.dir,
    env: {
      ...process.env,
      KUBECONFIG: env.kubectl.kubeconfig,
      MESHCTL_ISTIOCTL: env.istioctl,
      NO_COLOR: '1',
      MESHCTL_CRASH_STATE: join(o.dir, STATE),
      MESHCTL_CRASH_AFTER_WRITE: String(o.crashAfter ?? 0),
      MESHCTL_CRASH_UNITS: String(o.units ?? ''),
      MESHCTL_CRASH_LOG: log,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => {
      const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      rmSync(log, { force: true });
      const writes = lines.filter((l) => l.startsWith('write ')).length;
      const kill = lines.find((l) => l.startsWith('kill '));
      res({ args, pid: child.pid, code, signal, stdout, stderr, writes, ms: Date.now() - t0, ...(kill ? { killedAfter: Number(kill.split(' ')[1]) } : {}) });
    });
  });
}

/** What one cluster holds: a line per object (Namespaces with labels and annotations), sorted. */
export type Inventory = readonly string[];

// Made by a controller for an owner that is itself compared (a Deployment's ReplicaSets and
// Pods, a Service's EndpointSlices, with generated names), or by a user's own tests.
const controllerMade = (o: Obj) => (o.metadata.ownerReferences ?? []).some((r: { controller?: boolean }) => r.controller);
const scratch = (o: Obj) => String(o.metadata.namespace ?? (o.kind === 'Namespace' ? o.metadata.name : '')).startsWith('harness-');

function inventoryOf(objects: ReadonlyMap<string, Obj>): Inventory {
  const lines: string[] = [];
  for (const [key, o] of objects) {
    if (controllerMade(o) || scratch(o)) continue;
    lines.push(o.kind === 'Namespace' ? `${key} ${JSON.stringify(o.metadata.labels ?? {})} ${JSON.stringify(o.metadata.annotations ?? {})}` : key);
  }
  return lines.sort();
}

interface Live {
  readonly inventory: Record<string, Inventory>;
  /** By meshctl address. */
  readonly objects: ReadonlyMap<string, Obj>;
}

async function readLive(env: SweepEnv): Promise<Live> {
  const inventory: Record<string, Inventory> = {};
  const objects = new Map<string, Obj>();
  for (const ctx of env.contexts) {
    const all = await everything(env.kubectl, ctx);
    inventory[ctx] = inventoryOf(all);
    for (const o of all.values()) objects.set(objectAddress(ctx, refOf(o as KubeObject)), o);
  }
  return { inventory, objects };
}

/** Lines in one inventory and not the other, per cluster ("+" only now, "-" only in `want`). */
function inventoryDiff(want: Record<string, Inventory>, got: Record<string, Inventory>): string[] {
  return Object.keys(want).flatMap((ctx) => {
    const w = new Set(want[ctx]);
    const g = new Set(got[ctx]);
    return [...[...g].filter((l) => !w.has(l)).map((l) => `${ctx} + ${l}`), ...[...w].filter((l) => !g.has(l)).map((l) => `${ctx} - ${l}`)];
  });
}

/**
 * Waits until the clusters hold `want` (istiod writes its ConfigMaps a moment after it starts;
 * a deleted namespace takes a moment to go); returns what still differs at the deadline.
 */
async function settleTo(env: SweepEnv, want: Record<string, Inventory>, timeoutMs: number): Promise<{ live: Live; differences: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await readLive(env);
    const differences = inventoryDiff(want, live.inventory);
    if (differences.length === 0 || Date.now() > deadline) return { live, differences };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The inventory once two reads two seconds apart agree (istiod writes its ConfigMaps a moment after it starts). */
async function steadyInventory(env: SweepEnv, timeoutMs: number): Promise<Record<string, Inventory>> {
  const deadline = Date.now() + timeoutMs;
  let last = (await readLive(env)).inventory;
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = (await readLive(env)).inventory;
    if (inventoryDiff(last, now).length === 0 || Date.now() > deadline) return now;
    last = now;
  }
}

interface StateFile {
  serial: number;
  units: { id: string; status: string }[];
  objects: Record<string, { status: string; uid?: string }>;
}

const readState = (dir: string) => JSON.parse(readFileSync(join(dir, STATE), 'utf8')) as StateFile;

/** The state against the live objects: each recorded object applied and there, each object meshctl manages recorded. */
function stateProblems(state: StateFile, live: Live, ref: Reference): string[] {
  const problems: string[] = [];
  for (const [addr, rec] of Object.entries(state.objects)) {
    const o = live.objects.get(addr);
    if (rec.status !== 'applied') problems.push(`state: ${addr} is ${rec.status}`);
    if (!o) problems.push(`state: ${addr} is recorded but not in the cluster`);
    else if (rec.uid && rec.uid !== o.metadata.uid) problems.push(`state: ${addr} recorded with uid ${rec.uid}, the cluster's has ${o.metadata.uid}`);
  }
  for (const [addr, o] of live.objects) {
    const managed = (o.metadata.managedFields ?? []).some((f: { manager?: string }) => f.manager === 'meshctl');
    if (managed && !(addr in state.objects)) problems.push(`orphan: ${addr} is managed by meshctl but not in the state`);
  }
  const addresses = Object.keys(state.objects).sort();
  if (JSON.stringify(addresses) !== JSON.stringify(ref.addresses)) {
    problems.push(
      `state: objects differ from the clean apply's: +[${addresses.filter((a) => !ref.addresses.includes(a)).join(', ')}] -[${ref.addresses.filter((a) => !addresses.includes(a)).join(', ')}]`,
    );
  }
  const units = state.units.map((u) => u.id).sort();
  if (JSON.stringify(units) !== JSON.stringify(ref.units)) problems.push(`state: units ${units.join(',')} differ from the clean apply's ${ref.units.join(',')}`);
  for (const u of state.units) if (u.status !== 'applied') problems.push(`state: unit ${u.id} is ${u.status}`);
  return problems;
}

/** Every cluster's cacerts Secret holds the same root certificate. */
function rootProblems(env: SweepEnv, live: Live): string[] {
  const roots = new Set(env.contexts.map((ctx) => live.objects.get(`${ctx}/Secret/istio-system/cacerts`)?.data?.['root-cert.pem'] as string | undefined));
  return roots.size === 1 && !roots.has(undefined) ? [] : [`trust: the clusters' cacerts hold ${roots.size} different roots (or none)`];
}

const brief = (r: CliRun) => `meshctl ${r.args.join(' ')}: exit ${r.code ?? r.signal}\n${(r.stdout + r.stderr).split('\n').slice(-25).join('\n')}`;

/** What a clean apply makes, and what the clusters held before it. */
export interface Reference {
  /** Journal writes of the clean apply (N). */
  readonly writes: number;
  readonly found: Record<string, Inventory>;
  readonly applied: Record<string, Inventory>;
  /** State object addresses and unit ids after the clean apply, sorted. */
  readonly addresses: readonly string[];
  readonly units: readonly string[];
  readonly ms: { readonly reset: number; readonly apply: number; readonly destroy?: number };
}

function freshDir(env: SweepEnv, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `meshctl-${prefix}-`));
  copyFileSync(env.mesh, join(dir, 'mesh.yaml'));
  return dir;
}

async function timedReset(env: SweepEnv): Promise<number> {
  const t0 = Date.now();
  await resetClusters(env.kubectl, env.contexts);
  return Date.now() - t0;
}

/**
 * A clean apply from reset clusters, counted and checked (a plan after it has no changes); with
 * `destroy`, destroyed again, which must leave the clusters as found. Throws when it fails.
 */
export async function cleanReference(env: SweepEnv, o: { destroy: boolean }): Promise<Reference> {
  const reset = await timedReset(env);
  const dir = freshDir(env, 'sweep-clean');
  try {
    const found = await steadyInventory(env, 30_000);
    const apply = await runMeshctl(env, ['apply', '--auto-approve', ...(env.resumeFlags ?? [])], { dir });
    if (apply.code !== 0) throw new Error(`the clean apply failed: ${brief(apply)}`);
    const plan = await runMeshctl(env, ['plan', '--detailed-exitcode'], { dir });
    if (plan.code !== 0) throw new Error(`the plan after a clean apply is not empty: ${brief(plan)}`);
    const state = readState(dir);
    if (state.serial !== apply.writes) throw new Error(`the preload counted ${apply.writes} state writes, the state's serial is ${state.serial}`);
    const applied = await steadyInventory(env, 30_000);
    let destroyMs: number | undefined;
    if (o.destroy) {
      const destroy = await runMeshctl(env, ['destroy', '--auto-approve'], { dir });
      if (destroy.code !== 0) throw new Error(`the clean destroy failed: ${brief(destroy)}`);
      destroyMs = destroy.ms;
      const left = await settleTo(env, found, 60_000);
      if (left.differences.length) throw new Error(`the clean destroy left the clusters changed:\n${left.differences.join('\n')}`);
    }
    return {
      writes: apply.writes,
      found,
      applied,
      addresses: Object.keys(state.objects).sort(),
      units: state.units.map((u) => u.id).sort(),
      ms: { reset, apply: apply.ms, ...(destroyMs !== undefined ? { destroy: destroyMs } : {}) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface KillPointResult {
  /** The kill points asked for: [k] for one crash, [k, k2] for a resume killed again at its k2-th write. */
  readonly kills: readonly KillAt[];
  /** The write each kill came after, as the preload counted it (for "last", which one that was). */
  readonly killedAfter: readonly number[];
  /**
   * converged: every check passed. not-reached: the apply finished before its k-th write (the
   * writes of an apply vary a little from run to run), so there was nothing to resume.
   */
  readonly outcome: 'converged' | 'failed' | 'not-reached';
  readonly converged: boolean;
  /** Empty when converged; else every check that failed, in words. */
  readonly problems: readonly string[];
  /** State writes of the run that resumed after the last kill. */
  readonly resumeWrites: number;
  readonly ms: { readonly total: number; readonly reset: number; readonly killed: number; readonly resume: number; readonly checks: number; readonly destroy?: number };
}

/**
 * One kill point from reset clusters: apply killed after each write in `kills` in turn, apply
 * again (taking over the dead run's lock), then every check above.
 * With `destroy`, the run ends with a destroy that must leave the clusters as found.
 */
export async function killPoint(env: SweepEnv, ref: Reference, o: { kills: readonly KillAt[]; destroy: boolean }): Promise<KillPointResult> {
  const t0 = Date.now();
  const problems: string[] = [];
  const killedAfter: number[] = [];
  let notReached = false;
  const reset = await timedReset(env);
  const dir = freshDir(env, `sweep-${o.kills.join('-')}`);
  const ms: { -readonly [K in keyof KillPointResult['ms']]: KillPointResult['ms'][K] } = { total: 0, reset, killed: 0, resume: 0, checks: 0 };
  let resumeWrites = 0;
  try {
    let serial = 0;
    for (const k of o.kills) {
      const killed = await runMeshctl(env, ['apply', '--auto-approve'], { dir, crashAfter: k, units: ref.units.length });
      ms.killed += killed.ms;
      if (killed.signal !== 'SIGKILL' || killed.killedAfter === undefined || (k !== 'last' && killed.killedAfter !== k)) {
        if (k !== 'last' && killed.code === 0 && killed.killedAfter === undefined && killed.writes < k) notReached = true;
        else problems.push(`the apply to be killed after write ${k} was not (${killed.writes} writes; ${brief(killed)})`);
        return done();
      }
      killedAfter.push(killed.killedAfter);
      serial += killed.killedAfter;
      const state = readState(dir);
      if (state.serial !== serial) problems.push(`killed after write ${killed.killedAfter}, the state's serial is ${state.serial}, not ${serial}`);
      // The killed run's lock is still there, naming its pid; the next run takes it over (the
      // process is gone), as a user's next apply would, with no force-unlock.
      const lock = JSON.parse(readFileSync(join(dir, `${STATE}.lock`), 'utf8')) as { pid: number };
      if (lock.pid !== killed.pid) problems.push(`the lock left by the killed run names pid ${lock.pid}, not ${killed.pid}`);
    }
    const resume = await runMeshctl(env, ['apply', '--auto-approve', ...(env.resumeFlags ?? [])], { dir });
    ms.resume = resume.ms;
    resumeWrites = resume.writes;
    if (resume.code !== 0) {
      problems.push(`the resumed apply failed: ${brief(resume)}`);
      return done();
    }
    if (!/State lock taken over/.test(resume.stdout + resume.stderr)) problems.push(`the resumed apply did not say it took over the killed run's lock: ${brief(resume)}`);
    const t1 = Date.now();
    const plan = await runMeshctl(env, ['plan', '--detailed-exitcode'], { dir });
    if (plan.code !== 0) problems.push(`plan after the resumed apply: ${brief(plan)}`);
    const settled = await settleTo(env, ref.applied, 30_000);
    problems.push(...settled.differences.map((d) => `clusters differ from the clean apply's: ${d}`));
    problems.push(...stateProblems(readState(dir), settled.live, ref), ...rootProblems(env, settled.live));
    ms.checks = Date.now() - t1;
    if (o.destroy) {
      const destroy = await runMeshctl(env, ['destroy', '--auto-approve'], { dir });
      ms.destroy = destroy.ms;
      if (destroy.code !== 0) problems.push(`destroy failed: ${brief(destroy)}`);
      const left = await settleTo(env, ref.found, 60_000);
      problems.push(...left.differences.map((d) => `after destroy, the clusters differ from how they were found: ${d}`));
    }
    return done();
  } catch (e) {
    problems.push(`the kill point could not be run: ${(e as Error).stack ?? String(e)}`);
    return done();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  function done(): KillPointResult {
    ms.total = Date.now() - t0;
    const outcome = problems.length ? 'failed' : notReached ? 'not-reached' : 'converged';
    return { kills: o.kills, killedAfter, outcome, converged: outcome === 'converged', problems, resumeWrites, ms };
  }
}

/**
 * The kill points of a stride below the last write: 1, 1 + s, 1 + 2s, ... while ≤ n - margin.
 * The journal commits in groups (src/state/journal.ts), so how many writes an apply makes
 * depends on timing: 128 to 130 for the guide's mesh. A point in the last few writes may lie
 * past the end of the killed run; the margin keeps the stride where every run reaches, and the
 * kill point "last" covers the end.
 */
export function strideKillPoints(n: number, stride: number, margin = 0): number[] {
  const points: number[] = [];
  for (let k = 1; k < n && k <= n - margin; k += stride) points.push(k);
  return points;
}

export function describeResult(r: KillPointResult): string {
  const s = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1000).toFixed(1)}s`);
  const what = { converged: 'converged', failed: 'DID NOT CONVERGE', 'not-reached': 'not reached (the apply finished first)' }[r.outcome];
  const at = r.kills.map((k, i) => (k === 'last' ? `last (${r.killedAfter[i] ?? '?'})` : String(k))).join('→');
  const head = `k=${at}: ${what} (resume ${r.resumeWrites} writes; total ${s(r.ms.total)}: reset ${s(r.ms.reset)}, killed ${s(r.ms.killed)}, resume ${s(r.ms.resume)}, checks ${s(r.ms.checks)}, destroy ${s(r.ms.destroy)})`;
  return [head, ...r.problems.map((p) => `    ${p.replace(/\n/g, '\n      ')}`)].join('\n');
}
