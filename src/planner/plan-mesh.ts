// The planner: a pure function of (desired, observed, prior state) to a Plan. No I/O, no
// clock (createdAt is passed in), no printing. Everything it needs was gathered before.

import { compare } from './json-patch.js';
import type { Desired, Unit } from '../model/desired.js';
import { objectAddress, refOf, type KubeObject } from '../kube/object.js';
import type { MeshState, ObjectRecord, UnitRecord } from '../state/state.js';
import { waves } from './graph.js';
import { objectKindRank } from './kind-order.js';
import { istiodLeftovers, losesMesh } from './istiod-leftovers.js';
import { stepsOf } from './steps.js';
import { planDependencies } from './unit-order.js';
import { withFailurePolicyOf, withoutForeignFields } from './ignore.js';
import { project, projectAndCompare, satisfies, unknownPaths } from './project.js';
import { unifiedDiff } from './diff-text.js';
import { noticesOf } from './notices.js';
import { immutableChanged } from './immutable.js';
import { planFormatVersion, summarize, type Change, type Plan, type PlanMode, type PlannedUnit } from './plan.js';

export interface Observed {
  /** Live objects by address, Secret data already masked. Absent means "does not exist". */
  readonly objects: ReadonlyMap<string, KubeObject>;
  /**
   * Clusters that left mesh.yaml and could not be read, with why: nothing is known of their
   * objects, so nothing is planned there (or, with forgetUnreachable, only forgetting).
   */
  readonly unreachable?: ReadonlyMap<string, string>;
}

export interface PlanInput {
  readonly mode: PlanMode;
  /** Units with their objects rendered; Secret data as Sensitive markers. */
  readonly desired: Desired;
  readonly observed: Observed;
  readonly prior: MeshState | null;
  readonly source: { readonly file: string; readonly digest: string };
  readonly createdAt: string;
  readonly meshctlVersion: string;
  /** --forget-unreachable: the records of an unreachable departed cluster go (nothing is sent). */
  readonly forgetUnreachable?: boolean;
}

export function planMesh(input: PlanInput): Plan {
  const { units, changes } = input.mode === 'destroy' ? planDestroy(input) : input.mode === 'refresh-only' ? planRefresh(input) : planApply(input);
  return {
    formatVersion: planFormatVersion,
    meshctlVersion: input.meshctlVersion,
    mode: input.mode,
    createdAt: input.createdAt,
    mesh: { meshID: input.desired.meshID, sourceDigest: input.source.digest, sourceFile: input.source.file },
    state: input.prior ? { lineage: input.prior.lineage, serial: input.prior.serial } : null,
    units,
    waves: waves(units),
    changes,
    summary: summarize(changes),
    notices: noticesOf(input, changes),
  };
}

interface UnitsAndChanges {
  units: PlannedUnit[];
  changes: Change[];
}

// What String.prototype.localeCompare does, without building a collator on every call (the
// sort of a unit's objects spent more time there than in comparing them).
const { compare: localeCompare } = new Intl.Collator();

function byApplyOrder(a: KubeObject, b: KubeObject): number {
  return (
    objectKindRank(a.kind) - objectKindRank(b.kind) ||
    localeCompare(a.kind, b.kind) ||
    localeCompare(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    localeCompare(a.metadata.name, b.metadata.name)
  );
}

function planApply(input: PlanInput): UnitsAndChanges {
  const prior = input.prior?.objects ?? {};
  const unitById = new Map(input.desired.units.map((u) => [u.id, u]));
  // Every wanted address up front, not as units are visited: an object that moved from an
  // earlier unit to a later one must not be planned as a removal from the earlier one (apply
  // would delete it, and the later unit's noop would never bring it back).
  const wanted = new Set(input.desired.units.flatMap((u) => u.objects.map((o) => objectAddress(u.cluster, refOf(o)))));
  const changesOf = new Map<string, Change[]>();
  for (const unit of input.desired.units) {
    const mine: Change[] = [];
    for (const obj of [...unit.objects].sort(byApplyOrder)) mine.push(changeFor(unit, obj, input.observed, prior));
    // Objects this unit made before but no longer renders (e.g. a chart dropped one).
    for (const [addr, rec] of removedFrom(prior, wanted, (r) => r.unit === unit.id)) mine.push(removal(addr, rec, input.observed));
    changesOf.set(unit.id, mine);
  }
  // The order depends on what the changes are (an upgrade is not ordered as an install).
  const dependsOn = planDependencies(input.desired.units, changesOf, input.prior);
  const units: PlannedUnit[] = [];
  const changes: Change[] = [];
  for (const id of waves(input.desired.units.map((u) => ({ id: u.id, dependsOn: dependsOn.get(u.id)! }))).flat()) {
    const unit = unitById.get(id)!;
    const mine = changesOf.get(id)!;
    changes.push(...mine);
    units.push({ id, cluster: unit.cluster, kind: unit.kind, dependsOn: dependsOn.get(id)!, steps: stepsOf(mine, unit.waits), removal: false });
  }
  // Whole units that left the topology: removed after everything else, newest first. A kept
  // revision's control plane (istio.keepRevisions) has left it too, and stays as it is.
  const kept = new Set(input.desired.kept);
  const gone = [...(input.prior?.units ?? [])].reverse().filter((u) => !unitById.has(u.id) && !kept.has(u.id));
  const removals = gone.flatMap((u) =>
    removalUnit(
      u,
      removedFrom(prior, wanted, (r) => r.unit === u.id),
      input,
      changes,
    ),
  );
  const leaving = losesMesh(input.prior, new Set(unitById.keys()));
  return {
    units: [
      ...units,
      ...chainRemovals(
        removals,
        leftoverUnits(leaving, input, changes),
        units.map((u) => u.id),
      ),
    ],
    changes,
  };
}

/**
 * A unit taken down, or none: a unit of a cluster that cannot be read is left to the state
 * (its objects may still be there) unless forgetUnreachable says to forget its records.
 */
function removalUnit(u: Pick<UnitRecord, 'id' | 'cluster' | 'kind'>, records: [string, ObjectRecord][], input: Pick<PlanInput, 'observed' | 'forgetUnreachable'>, changes: Change[]): PlannedUnit[] {
  const unreachable = input.observed.unreachable?.has(u.cluster) === true;
  if (unreachable && input.forgetUnreachable !== true) return [];
  const planned = records.map(([addr, rec]) => (unreachable ? forgotten(addr, rec) : removal(addr, rec, input.observed)));
  changes.push(...planned);
  return [{ id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: [], steps: stepsOf(planned, []), removal: true }];
}

/** The record goes; the object, if it is still there, is not touched (it cannot be reached). */
function forgotten(address: string, rec: ObjectRecord): Change {
  return { address, unit: rec.unit, cluster: rec.cluster, ref: rec.ref, afterUnknown: [], existedBefore: rec.existedBefore, action: 'noop', reason: 'unreachable', record: 'drop' };
}

/** The istio-ca-root-cert ConfigMaps istiod wrote in each cluster the mesh leaves, as units. */
function leftoverUnits(clusters: readonly string[], input: PlanInput, changes: Change[]): PlannedUnit[] {
  return clusters.flatMap((cluster) => {
    const planned = istiodLeftovers(cluster, input.observed, input.prior);
    if (planned.length === 0) return [];
    changes.push(...planned);
    return [{ id: `${cluster}/istiod-leftovers`, cluster, kind: 'istiod-leftovers' as const, dependsOn: [], steps: stepsOf(planned, []), removal: true }];
  });
}

/**
 * Removed units run one after another after `before` (every kept unit): first the remote
 * secrets, so no istiod still reads a cluster whose objects are going (it would write its root
 * certificate and webhook caBundle there again); then the rest newest first; the foundation of
 * a cluster (its namespace and cacerts) last. The istiod leftovers go just before it: after
 * every control plane and remote secret that could write them again is gone, and before the
 * cacerts Secret that proves they hold meshctl's root (so a resumed run can still tell).
 */
function chainRemovals(removals: readonly PlannedUnit[], leftovers: readonly PlannedUnit[], before: readonly string[]): PlannedUnit[] {
  const foundation = (u: PlannedUnit) => u.kind === 'namespace' || u.kind === 'cacerts';
  const secret = (u: PlannedUnit) => u.kind === 'remote-secret';
  const order = [...removals.filter(secret), ...removals.filter((u) => !foundation(u) && !secret(u)), ...leftovers, ...removals.filter(foundation)];
  let prev: readonly string[] = before;
  return order.map((u) => {
    const out = { ...u, dependsOn: prev };
    prev = [u.id];
    return out;
  });
}

function removedFrom(prior: Readonly<Record<string, ObjectRecord>>, wanted: ReadonlySet<string>, pick: (r: ObjectRecord) => boolean): [string, ObjectRecord][] {
  return Object.entries(prior)
    .filter(([addr, r]) => !wanted.has(addr) && pick(r))
    .sort(([, a], [, b]) => -(objectKindRank(a.ref.kind) - objectKindRank(b.ref.kind)) || localeCompare(a.ref.name, b.ref.name));
}

function changeFor(unit: Unit, raw: KubeObject, observed: Observed, prior: Readonly<Record<string, ObjectRecord>>): Change {
  const ref = refOf(raw);
  const address = objectAddress(unit.cluster, ref);
  const live = observed.objects.get(address);
  const after = live ? withFailurePolicyOf(withoutForeignFields(raw), live, raw) : withoutForeignFields(raw);
  const rec = prior[address];
  const compared = live && projectAndCompare(after, live);
  if (live && compared?.satisfied) {
    // Satisfied means no unknown marker is left in `after`: a no-op needs no scan for them.
    const record = rec?.status !== 'applied' ? 'adopt' : rec.unit !== unit.id ? 'move' : undefined;
    return {
      address,
      unit: unit.id,
      cluster: unit.cluster,
      ref,
      after,
      afterUnknown: [],
      action: 'noop',
      reason: 'unchanged',
      before: compared.before,
      existedBefore: rec?.existedBefore ?? true,
      observedResourceVersion: live.metadata.resourceVersion as string | undefined,
      ...(record ? { record } : {}),
    };
  }
  const afterUnknown = unknownPaths(after);
  const base = { address, unit: unit.id, cluster: unit.cluster, ref, after, afterUnknown };
  if (!live) {
    // A new object is created whole, as rendered: fields istiod takes over later (the
    // validating webhook's failurePolicy) must start from the chart's value, not the API
    // server's default. Only later comparisons and updates leave them to istiod.
    const whole = withoutForeignFields(raw, { creating: true });
    return { ...base, after: whole, afterUnknown: unknownPaths(whole), action: 'create', reason: rec?.status === 'applied' ? 'drift' : 'missing', existedBefore: rec?.existedBefore ?? false };
  }
  const existedBefore = rec?.existedBefore ?? true;
  const before = compared ? compared.before : project(after, live);
  const observedResourceVersion = live.metadata.resourceVersion as string | undefined;
  const reason = satisfies(after, before, { unknownMatches: true }) ? 'known-after-apply' : rec?.applied !== undefined && satisfies(after, rec.applied) ? 'drift' : 'config-changed';
  return {
    ...base,
    // A field the server will not change in place: the object is deleted and created again.
    action: immutableChanged(before, after) ? 'replace' : 'update',
    reason,
    before,
    existedBefore,
    observedResourceVersion,
    patch: compare(before as object, after as object),
    diff: unifiedDiff(before, after),
  };
}

/** Deleting what meshctl created; for objects it found in place, giving back its fields. */
function removal(address: string, rec: ObjectRecord, observed: Observed): Change {
  const live = observed.objects.get(address);
  const base = { address, unit: rec.unit, cluster: rec.cluster, ref: rec.ref, afterUnknown: [], existedBefore: rec.existedBefore };
  // Not in the cluster: an interrupted apply recorded it but never created it, or someone
  // deleted it. Only its record goes.
  if (!live) return { ...base, action: 'noop', reason: 'unchanged', record: 'drop' };
  const observedResourceVersion = live.metadata.resourceVersion as string | undefined;
  // Without a record of what meshctl applied (an apply interrupted before the answer), only
  // the identity is known to be meshctl's. The whole live object must not stand in: it carries
  // other managers' fields, and kubectl's last-applied-configuration annotation holds a Secret's
  // data in clear (the guide's `create-remote-secret | kubectl apply`), which the plan would leak.
  const before = project(rec.applied ?? identityOf(rec), live);
  if (!rec.existedBefore) return { ...base, action: 'delete', reason: 'removed', before, observedResourceVersion };
  // Server-side apply of the bare identity drops every field meshctl owned, nothing else.
  const after = identityOf(rec);
  return {
    ...base,
    action: 'forget',
    reason: 'removed',
    before,
    after,
    observedResourceVersion,
    patch: compare(before as object, after),
    diff: unifiedDiff(before, after),
  };
}

export function identityOf(rec: Pick<ObjectRecord, 'ref'>): KubeObject {
  const metadata = rec.ref.namespace ? { name: rec.ref.name, namespace: rec.ref.namespace } : { name: rec.ref.name };
  return { apiVersion: rec.ref.apiVersion, kind: rec.ref.kind, metadata };
}

function planDestroy(input: PlanInput): UnitsAndChanges {
  const prior = input.prior;
  if (!prior) return { units: [], changes: [] };
  const changes: Change[] = [];
  const none = new Set<string>();
  // Objects whose unit record is missing (interrupted first apply) are destroyed last.
  const orphanUnits = [...new Set(Object.values(prior.objects).map((o) => o.unit))].filter((u) => !prior.units.some((r) => r.id === u));
  const removalOf = (u: Pick<UnitRecord, 'id' | 'cluster' | 'kind'>) =>
    removalUnit(
      u,
      removedFrom(prior.objects, none, (r) => r.unit === u.id),
      input,
      changes,
    );
  const removals = [...destroyOrder(prior.units), ...orphanUnits.map(orphanUnit(prior))].flatMap(removalOf);
  return { units: chainRemovals(removals, leftoverUnits(losesMesh(prior, null), input, changes), []), changes };
}

/**
 * Newest first, as recorded, except that a unit never goes before one that depends on it. The
 * record order alone is the reverse of an apply's order only when every unit was first applied
 * by the same meshctl: a unit that a later version split off (crds from control-plane) is
 * recorded after the units that came to depend on it, yet must be removed after them.
 */
export function destroyOrder(units: readonly UnitRecord[]): UnitRecord[] {
  const left = [...units].reverse();
  const out: UnitRecord[] = [];
  while (left.length > 0) {
    // The first unit no remaining unit depends on; a cycle (a damaged state) falls back to order.
    const i = left.findIndex((u) => !left.some((v) => v !== u && v.dependsOn.includes(u.id)));
    out.push(...left.splice(i >= 0 ? i : 0, 1));
  }
  return out;
}

function orphanUnit(prior: MeshState) {
  return (id: string) => {
    const any = Object.values(prior.objects).find((o) => o.unit === id)!;
    return { id, cluster: any.cluster, kind: (id.split('/')[1] ?? 'namespace') as PlannedUnit['kind'] };
  };
}

/**
 * Drift only: what changed in the clusters since meshctl last applied, compared with what
 * the state says it applied. Topology edits are not considered.
 */
function planRefresh(input: PlanInput): UnitsAndChanges {
  const prior = input.prior;
  if (!prior) return { units: [], changes: [] };
  const changes: Change[] = [];
  const units: PlannedUnit[] = [];
  for (const u of prior.units) {
    const addrs: string[] = [];
    for (const [addr, rec] of Object.entries(prior.objects).filter(([, r]) => r.unit === u.id && r.applied !== undefined)) {
      const applied = rec.applied as KubeObject;
      const live = input.observed.objects.get(addr);
      const base = { address: addr, unit: u.id, cluster: u.cluster, ref: rec.ref, after: applied, afterUnknown: [], existedBefore: rec.existedBefore };
      addrs.push(addr);
      if (!live) {
        changes.push({ ...base, action: 'create', reason: 'drift' });
        continue;
      }
      const { before, satisfied } = projectAndCompare(applied, live);
      const observedResourceVersion = live.metadata.resourceVersion as string | undefined;
      changes.push(
        satisfied
          ? { ...base, action: 'noop', reason: 'unchanged', before, observedResourceVersion }
          : { ...base, action: 'update', reason: 'drift', before, observedResourceVersion, patch: compare(before as object, applied), diff: unifiedDiff(before, applied) },
      );
    }
    units.push({ id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: u.dependsOn, steps: [{ step: 'send', addresses: addrs }], removal: false });
  }
  return { units, changes };
}
