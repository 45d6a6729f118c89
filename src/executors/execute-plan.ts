// Carrying out a Plan: its units walked in dependency order (planner/graph.ts walkGraph), each
// unit's steps in order — a batch of objects sent together, or a wait — exactly as planned.
// Every object is journaled to the state before and after its request.
import { isDiagnosticsError, type Diagnostic } from '../diagnostics.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { KubeObject } from '../kube/object.js';
import type { WaitFor } from '../model/desired.js';
import { walkGraph } from '../planner/graph.js';
import type { Change, Plan, PlannedUnit } from '../planner/plan.js';
import type { StateJournal } from '../state/journal.js';
import type { EventSink } from './events.js';
import { carryOutChange, needsResolvedObject } from './change.js';
import { waitText } from '../model/wait-words.js';
import { waitFor } from './wait.js';
import { Interrupted, throwIfInterrupted } from './interrupted.js';

export interface ExecutePlanOptions {
  readonly plan: Plan;
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly journal: StateJournal;
  /** The unit's objects with every value resolved (secrets real), by address; called just before the unit runs. */
  readonly materialize: (unitId: string) => Promise<ReadonlyMap<string, KubeObject>>;
  /** Called after a unit's steps; records its outputs for later units and returns the ones safe to persist. */
  readonly collectOutputs: (unitId: string) => Promise<Record<string, string>>;
  readonly onEvent: EventSink;
  readonly waitTimeoutMs: number;
  /** How many units may run at once (a whole number, at least 1). */
  readonly parallelism: number;
  readonly now?: () => number;
  /** Injected by tests so waits need no real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Aborted by Ctrl-C / SIGTERM: stop starting work (src/executors/interrupted.ts). */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly failed: readonly { unit: string; diagnostics: readonly Diagnostic[] }[];
  readonly skipped: readonly string[];
  readonly done: readonly string[];
  /** Stopped by an interrupt: part-done units, then those never started. */
  readonly interrupted: readonly string[];
}

export async function executePlan(o: ExecutePlanOptions): Promise<RunResult> {
  const now = o.now ?? Date.now;
  const changes = new Map(o.plan.changes.map((c) => [c.address, c]));
  const failed: RunResult['failed'][number][] = [];
  const stoppedMidway: string[] = [];
  const outcome = await walkGraph({
    nodes: o.plan.units,
    parallelism: o.parallelism,
    visit: (u) => runUnit(u),
    stopped: () => o.signal?.aborted === true,
    onFailed: (u, e) => {
      if (e instanceof Interrupted) {
        stoppedMidway.push(u.id);
        return;
      }
      const diagnostics = isDiagnosticsError(e) ? e.diagnostics : [internalError(e)];
      failed.push({ unit: u.id, diagnostics });
      o.onEvent({ type: 'unit-failed', unit: u.id, message: diagnostics.map((d) => d.summary).join('; ') });
    },
    onSkipped: (u, because) => o.onEvent({ type: 'unit-skipped', unit: u.id, because }),
  });
  try {
    await o.journal.flush();
  } catch (e) {
    // The cluster changed but the state file did not record it: say so, loudly, with the cause.
    failed.push({
      unit: '(state)',
      diagnostics: [
        {
          severity: 'error',
          summary: 'State could not be saved',
          detail: `Writing the state file failed: ${(e as Error).message}. The clusters may hold objects the state does not list; fix the cause and run apply again (it adopts what it finds).`,
        },
      ],
    });
  }
  const ids = (state: string) => o.plan.units.filter((u) => outcome.get(u.id)?.state === state).map((u) => u.id);
  return { failed, skipped: ids('skipped'), done: ids('done'), interrupted: [...stoppedMidway, ...ids('not-started')] };

  async function runUnit(u: PlannedUnit): Promise<void> {
    const start = now();
    o.onEvent({ type: 'unit-start', unit: u.id, cluster: u.cluster, ...(u.removal ? { removal: true } : {}) });
    const mine = u.steps.flatMap((s) => (s.step === 'send' ? s.addresses.map((a) => changes.get(a)!) : []));
    const applying = o.plan.mode === 'apply' && !u.removal;
    const record = { id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: u.dependsOn, outputs: {} };
    // A unit with something to send is marked in progress, so an interrupted run knows.
    if (applying && mine.some((c) => c.action !== 'noop')) await o.journal.unit({ ...record, status: 'applying' });
    const objects = applying && mine.some(needsResolvedObject) ? await o.materialize(u.id) : new Map<string, KubeObject>();
    // Looked up when a request goes out: a unit that only forgets records (its cluster is
    // unreachable) may have no client at all.
    const client = () => clientFor(u.cluster);
    for (const step of u.steps) {
      throwIfInterrupted(o.signal);
      switch (step.step) {
        case 'send':
          await Promise.all(step.addresses.map((a) => send(u, client, changes.get(a)!, objects.get(a))));
          break;
        case 'wait':
          await runWait(u, step.wait);
          break;
        default: {
          const never: never = step;
          throw new Error(`unexpected step ${JSON.stringify(never)}: this is a bug in meshctl`);
        }
      }
    }
    if (applying) await o.journal.unit({ ...record, status: 'applied', outputs: await o.collectOutputs(u.id) });
    else if (u.removal) await o.journal.unitGone(u.id);
    o.onEvent({ type: 'unit-done', unit: u.id, elapsedMs: now() - start });
  }

  async function send(u: PlannedUnit, client: () => ClusterClient, c: Change, resolved: KubeObject | undefined): Promise<void> {
    const t0 = now();
    await carryOutChange({ client, journal: o.journal }, c, resolved);
    if (c.action !== 'noop') o.onEvent({ type: 'object-done', unit: u.id, address: c.address, action: c.action, elapsedMs: now() - t0 });
  }

  async function runWait(u: PlannedUnit, w: WaitFor): Promise<void> {
    const what = waitText(w, u.cluster);
    const t0 = now();
    await waitFor(clientFor(w.cluster ?? u.cluster), w, {
      timeoutMs: o.waitTimeoutMs,
      now: o.now,
      sleep: o.sleep,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (elapsedMs) => o.onEvent({ type: 'wait-progress', unit: u.id, what, elapsedMs }),
    });
    o.onEvent({ type: 'wait-done', unit: u.id, what, elapsedMs: now() - t0 });
  }

  function clientFor(cluster: string): ClusterClient {
    const c = o.clients.get(cluster);
    if (!c) throw new Error(`no client for cluster ${cluster}: this is a bug in meshctl`);
    return c;
  }
}

function internalError(e: unknown): Diagnostic {
  return { severity: 'error', summary: 'Internal error', detail: `${(e as Error)?.stack ?? e}\nThis is a bug in meshctl, please report it.` };
}
