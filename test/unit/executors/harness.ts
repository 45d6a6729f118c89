// Runs a plan against FakeClusters the way `meshctl apply` does: plan from what the fakes
// hold and what the journal says, then executePlan with a real StateJournal in a temp dir.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApplyEvent } from '../../../src/executors/events.js';
import { executePlan, type RunResult } from '../../../src/executors/execute-plan.js';
import { maskSecretData } from '../../../src/kube/sensitive.js';
import type { KubeObject } from '../../../src/kube/object.js';
import type { Unit } from '../../../src/model/desired.js';
import type { Plan, PlanMode } from '../../../src/planner/plan.js';
import { LocalStateBackend } from '../../../src/state/local-file.js';
import { StateJournal } from '../../../src/state/journal.js';
import { emptyState, type MeshState } from '../../../src/state/state.js';
import { addressIn, planOf } from '../support/mesh-fixtures.js';
import type { FakeCluster } from '../support/fake-cluster.js';

export interface Mesh {
  readonly units: readonly Unit[];
  /** Unit id → the objects with every value resolved (what materialize returns). */
  readonly resolved: ReadonlyMap<string, readonly KubeObject[]>;
}

/** Units whose objects are the given raw objects (units hold Secret data as digests). */
export function meshOf(spec: readonly { unit: Unit; objects: readonly KubeObject[] }[]): Mesh {
  return { units: spec.map((s) => ({ ...s.unit, objects: s.objects.map(maskSecretData) })), resolved: new Map(spec.map((s) => [s.unit.id, s.objects])) };
}

export function tempStateFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'meshctl-run-')), 'meshctl.state.json');
}

export function observe(fakes: readonly FakeCluster[]): Map<string, KubeObject> {
  return new Map(fakes.flatMap((f) => [...f.objects].map(([a, o]) => [a, maskSecretData(structuredClone(o))] as const)));
}

export interface Run {
  readonly plan: Plan;
  readonly result: RunResult;
  readonly events: ApplyEvent[];
  readonly journal: StateJournal;
}

export async function applyOnce(o: {
  mesh: Mesh;
  fakes: readonly FakeCluster[];
  stateFile: string;
  prior?: MeshState | null;
  mode?: PlanMode;
  parallelism?: number;
  waitTimeoutMs?: number;
  outputs?: (unitId: string) => Record<string, string>;
  journal?: (j: StateJournal) => void;
}): Promise<Run> {
  const plan = planOf({ mode: o.mode ?? 'apply', units: o.mesh.units, live: observe(o.fakes), prior: o.prior ?? null });
  const initial = o.prior ?? emptyState({ lineage: 'lineage-run', meshID: 'mesh1', meshctlVersion: '0.1.0' });
  const journal = new StateJournal(new LocalStateBackend(o.stateFile, 'mesh1'), initial);
  o.journal?.(journal);
  const events: ApplyEvent[] = [];
  const clusterOf = new Map(o.mesh.units.map((u) => [u.id, u.cluster]));
  const result = await executePlan({
    plan,
    clients: new Map(o.fakes.map((f) => [f.cluster, f.asClient()])),
    journal,
    materialize: async (id) => new Map((o.mesh.resolved.get(id) ?? []).map((obj) => [addressIn(clusterOf.get(id)!, obj), obj])),
    collectOutputs: async (id) => o.outputs?.(id) ?? {},
    onEvent: (e) => events.push(e),
    waitTimeoutMs: o.waitTimeoutMs ?? 60_000,
    parallelism: o.parallelism ?? 10,
  });
  return { plan, result, events, journal };
}

/** A promise with its resolve function outside, to hold an apply open. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
