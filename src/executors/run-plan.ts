// Carrying out a Plan: a walk over its units in dependency order, each unit starting as soon
// as everything it depends on has succeeded (so independent clusters proceed in parallel),
// dependants of a failed unit skipped and only the root cause reported (Terraform's
// dag.Walker). Every object is journaled to the state file before and after its request.
import { DiagnosticsError, isDiagnosticsError, type Diagnostic } from '../diagnostics.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { KubeObject } from '../kube/object.js';
import { maskSecretData } from '../kube/sensitive.js';
import { isUnknown, type WaitFor } from '../model/desired.js';
import { withoutForeignFields } from '../planner/ignore.js';
import { unknownPaths } from '../planner/project.js';
import { kindRank } from '../planner/kind-order.js';
import type { Change, Plan, PlannedUnit } from '../planner/plan.js';
import type { StateJournal } from '../state/journal.js';
import type { EventSink } from './events.js';
import { describeWait, waitFor, waitGone } from './wait.js';

export interface RunPlanOptions {
  readonly plan: Plan;
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly journal: StateJournal;
  /** The unit's objects with every value resolved (secrets real), by address; called just before the unit runs. */
  readonly materialize: (unitId: string) => Promise<ReadonlyMap<string, KubeObject>>;
  /** Called after a unit's waits; records its outputs for later units and returns the ones safe to persist. */
  readonly collectOutputs: (unitId: string) => Promise<Record<string, string>>;
  readonly onEvent: EventSink;
  readonly waitTimeoutMs: number;
  /** How many units may run at once. */
  readonly parallelism: number;
  readonly now?: () => number;
  /** Injected by tests so waits need no real time. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RunResult {
  readonly failed: readonly { unit: string; diagnostics: readonly Diagnostic[] }[];
  readonly skipped: readonly string[];
  readonly done: readonly string[];
}

export async function runPlan(o: RunPlanOptions): Promise<RunResult> {
  const now = o.now ?? Date.now;
  const changes = new Map(o.plan.changes.map((c) => [c.address, c]));
  const units = new Map(o.plan.units.map((u) => [u.id, u]));
  const state = new Map<string, 'pending' | 'running' | 'done' | 'failed' | 'skipped'>(o.plan.units.map((u) => [u.id, 'pending']));
  const failed: RunResult['failed'][number][] = [];
  const skipped: string[] = [];
  const done: string[] = [];
  const running = new Set<Promise<void>>();

  const ready = (u: PlannedUnit) => u.dependsOn.every((d) => !units.has(d) || state.get(d) === 'done');
  // For a skipped unit, the failed unit it ultimately waited on: the one cause worth naming.
  const rootCause = new Map<string, string>();
  const blocked = (u: PlannedUnit) => {
    const d = u.dependsOn.find((x) => state.get(x) === 'failed' || state.get(x) === 'skipped');
    return d === undefined ? undefined : (rootCause.get(d) ?? d);
  };

  for (;;) {
    let progressed = false;
    for (const u of o.plan.units) {
      if (state.get(u.id) !== 'pending') continue;
      const cause = blocked(u);
      if (cause) {
        state.set(u.id, 'skipped');
        rootCause.set(u.id, cause);
        skipped.push(u.id);
        o.onEvent({ type: 'unit-skipped', unit: u.id, because: cause });
        progressed = true;
        continue;
      }
      if (!ready(u) || running.size >= o.parallelism) continue;
      state.set(u.id, 'running');
      progressed = true;
      const p = runUnit(u)
        .then(
          () => {
            state.set(u.id, 'done');
            done.push(u.id);
          },
          (e: unknown) => {
            state.set(u.id, 'failed');
            const diagnostics = isDiagnosticsError(e) ? e.diagnostics : [{ severity: 'error' as const, summary: 'Internal error', detail: `${(e as Error)?.stack ?? e}\nThis is a bug in meshctl, please report it.` }];
            failed.push({ unit: u.id, diagnostics });
            o.onEvent({ type: 'unit-failed', unit: u.id, message: diagnostics.map((d) => d.summary).join('; ') });
          },
        )
        .finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size === 0 && !progressed) break;
    if (!progressed || running.size >= o.parallelism) await Promise.race(running);
  }
  try {
    await o.journal.flush();
  } catch (e) {
    // The cluster changed but the state file did not record it: say so, loudly, with the cause.
    failed.push({
      unit: '(state)',
      diagnostics: [{ severity: 'error', summary: 'State could not be saved', detail: `Writing the state file failed: ${(e as Error).message}. The clusters may hold objects the state does not list; fix the cause and run apply again (it adopts what it finds).` }],
    });
  }
  return { failed, skipped, done };

  async function runUnit(u: PlannedUnit): Promise<void> {
    const start = now();
    o.onEvent({ type: 'unit-start', unit: u.id, cluster: u.cluster, ...(u.removal ? { removal: true } : {}) });
    const client = clientFor(u.cluster);
    const applying = o.plan.mode === 'apply' && !u.removal;
    if (applying) {
      await o.journal.unit({ id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: u.dependsOn, status: 'applying', outputs: {} });
    }
    const needsObjects = u.changes.some((a) => ['create', 'update', 'noop'].includes(changes.get(a)!.action) && changes.get(a)!.reason !== 'release-fields');
    const objects = needsObjects && applying ? await o.materialize(u.id) : new Map<string, KubeObject>();
    // Objects of one kind rank go out together (their journal records share a write); ranks
    // stay in order: CRDs before what uses them, webhooks last.
    for (const group of byRank(u.changes.map((a) => changes.get(a)!))) {
      await Promise.all(
        group.map(async (c) => {
          const t0 = now();
          await carryOut(client, c, objects.get(c.address), u.removal);
          if (c.action !== 'noop') o.onEvent({ type: 'object-done', unit: u.id, address: c.address, action: c.action, elapsedMs: now() - t0 });
        }),
      );
    }
    if (applying) {
      for (const w of u.waits) await runWait(u, w);
      const outputs = await o.collectOutputs(u.id);
      await o.journal.unit({ id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: u.dependsOn, status: 'applied', outputs });
    } else if (u.removal) {
      await o.journal.unitGone(u.id);
    }
    o.onEvent({ type: 'unit-done', unit: u.id, elapsedMs: now() - start });
  }

  async function runWait(u: PlannedUnit, w: WaitFor): Promise<void> {
    const what = `${w.cluster && w.cluster !== u.cluster ? `${w.cluster}: ` : ''}${describeWait(w)}`;
    const t0 = now();
    await waitFor(clientFor(w.cluster ?? u.cluster), w, {
      timeoutMs: o.waitTimeoutMs,
      now: o.now,
      sleep: o.sleep,
      onProgress: (elapsedMs) => o.onEvent({ type: 'wait-progress', unit: u.id, what, elapsedMs }),
    });
    o.onEvent({ type: 'wait-done', unit: u.id, what, elapsedMs: now() - t0 });
  }

  async function carryOut(client: ClusterClient, c: Change, resolved: KubeObject | undefined, removing: boolean): Promise<void> {
    switch (c.action) {
      case 'create':
      case 'update': {
        const obj = c.reason === 'release-fields' ? (c.after as KubeObject) : resolved;
        if (!obj) throw new Error(`no object for ${c.address} at apply time: this is a bug in meshctl`);
        // Created whole (as rendered); updated without the fields istiod owns (planner/ignore.ts).
        const sent = withoutForeignFields(obj, { creating: c.action === 'create' });
        const pending = unknownPaths(sent);
        if (pending.length) throw new DiagnosticsError([{ severity: 'error', summary: 'Value still unknown at apply time', detail: `${c.address} needs ${pending.join(', ')}, which no earlier step produced. Check that the unit it depends on finished.` }]);
        await o.journal.objectPending(c.address, { unit: c.unit, cluster: c.cluster, ref: c.ref, existedBefore: c.existedBefore });
        const res = await client.apply(sent);
        if (c.reason === 'release-fields') {
          await o.journal.objectGone(c.address);
        } else {
          await o.journal.objectApplied(c.address, {
            applied: maskSecretData(withoutForeignFields(sent)),
            uid: res.metadata.uid as string | undefined,
            resourceVersion: res.metadata.resourceVersion as string | undefined,
            generation: typeof res.metadata.generation === 'number' ? res.metadata.generation : undefined,
          });
        }
        if (sent.kind === 'CustomResourceDefinition') {
          await waitFor(client, { kind: 'crds-established', names: [sent.metadata.name] }, { timeoutMs: o.waitTimeoutMs, now: o.now, sleep: o.sleep, onProgress: () => undefined });
        }
        return;
      }
      case 'delete':
        await client.remove(c.ref);
        if (c.ref.kind === 'Namespace' || c.ref.kind === 'CustomResourceDefinition') {
          await waitGone(client, c.ref, { timeoutMs: o.waitTimeoutMs, now: o.now, sleep: o.sleep });
        }
        await o.journal.objectGone(c.address);
        return;
      case 'noop': {
        const rec = o.journal.state.objects[c.address];
        if (removing) {
          // Taken down, and not in the cluster: an interrupted apply recorded it as pending but
          // never created it (or someone deleted it). Forget it, or destroy leaves it in state.
          if (rec) await o.journal.objectGone(c.address);
          return;
        }
        // Adopt what an interrupted apply sent but never recorded as applied.
        if (resolved && (!rec || rec.status !== 'applied') && !containsUnknown(resolved)) {
          await o.journal.objectPending(c.address, { unit: c.unit, cluster: c.cluster, ref: c.ref, existedBefore: c.existedBefore });
          await o.journal.objectApplied(c.address, { applied: maskSecretData(withoutForeignFields(resolved)) });
        } else if (rec && rec.unit !== c.unit) {
          // Made by a unit a later meshctl split (Istio's CRDs were control-plane's): record the
          // unit it belongs to now, so destroy removes it with that unit, in dependency order.
          await o.journal.objectMoved(c.address, c.unit);
        }
        return;
      }
      default: {
        const never: never = c.action;
        throw new Error(`unexpected action ${String(never)}: this is a bug in meshctl`);
      }
    }
  }

  function clientFor(cluster: string): ClusterClient {
    const c = o.clients.get(cluster);
    if (!c) throw new Error(`no client for cluster ${cluster}: this is a bug in meshctl`);
    return c;
  }
}

/** Consecutive changes of equal kind rank, order kept (the plan lists them in apply order). */
function byRank(cs: readonly Change[]): Change[][] {
  const out: Change[][] = [];
  for (const c of cs) {
    const last = out.at(-1);
    if (last && kindRank(last[0]!.ref.kind) === kindRank(c.ref.kind)) last.push(c);
    else out.push([c]);
  }
  return out;
}

function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === 'object') return Object.values(v).some(containsUnknown);
  return false;
}
