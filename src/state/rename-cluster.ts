// A cluster renamed in mesh.yaml (`meshctl state mv OLD NEW`): its records re-addressed in the
// state, so the next plan finds its objects under the new name and updates the few that carry
// the Istio cluster ID (istiod's CLUSTER_ID, the injection path, the remote secret's name)
// instead of deleting and re-creating the whole cluster. Only the state changes; the clusters
// are never reached. And the other side of the same rule: a cluster renamed in mesh.yaml
// without `state mv` reaches, under its new name, the very cluster the state records under the
// old one (sameClusterUnderTwoNames), which a plan must not treat as a removal plus an addition.
import type { ClusterConnection, MeshState, ObjectRecord, UnitRecord } from './state.js';

/** What `state mv` re-addresses: every record of the cluster, and the remote secrets named after it. */
export interface ClusterMove {
  readonly from: string;
  readonly to: string;
  /** Unit IDs that change, in state order, with how many objects each holds. */
  readonly units: readonly { readonly from: string; readonly to: string; readonly objects: number }[];
  /** [old, new] object addresses, in state order. */
  readonly objects: readonly (readonly [string, string])[];
  /** The connection the state records for `from` (absent in states written before it was recorded). */
  readonly connection?: ClusterConnection;
}

/** Why a move cannot be made; the state is unchanged. */
export type MoveRefusal =
  { readonly kind: 'same-name' } | { readonly kind: 'unknown-source'; readonly known: readonly string[] } | { readonly kind: 'target-in-use'; readonly units: number; readonly objects: number };

/** Every cluster the state names: by its units, its objects or its connection records. */
export function clustersInState(state: MeshState): string[] {
  const names = new Set([...state.units.map((u) => u.cluster), ...Object.values(state.objects).map((o) => o.cluster), ...Object.keys(state.clusters ?? {})]);
  return [...names].sort();
}

export function planClusterMove(state: MeshState, from: string, to: string): ClusterMove | MoveRefusal {
  if (from === to) return { kind: 'same-name' };
  const known = clustersInState(state);
  if (!known.includes(from)) return { kind: 'unknown-source', known };
  const unitsOfTarget = state.units.filter((u) => u.cluster === to).length;
  const objectsOfTarget = Object.values(state.objects).filter((o) => o.cluster === to).length;
  // A connection record alone is not a use: mesh.yaml may already name the new cluster.
  if (unitsOfTarget + objectsOfTarget > 0) return { kind: 'target-in-use', units: unitsOfTarget, objects: objectsOfTarget };
  const unitIds = new Set([...state.units.map((u) => u.id), ...Object.values(state.objects).map((o) => o.unit)]);
  const held = new Map<string, number>();
  for (const o of Object.values(state.objects)) held.set(o.unit, (held.get(o.unit) ?? 0) + 1);
  const units = [...unitIds].flatMap((id) => {
    const moved = movedUnitId(id, from, to);
    return moved === id ? [] : [{ from: id, to: moved, objects: held.get(id) ?? 0 }];
  });
  const objects = Object.entries(state.objects).flatMap(([address, r]) => (r.cluster === from ? [[address, movedAddress(address, from, to)] as const] : []));
  const connection = state.clusters?.[from];
  return { from, to, units, objects, ...(connection ? { connection } : {}) };
}

export function isRefusal(m: ClusterMove | MoveRefusal): m is MoveRefusal {
  return 'kind' in m;
}

/** The state with the move made (same lineage and serial: the backend's write bumps it). */
export function withClusterMoved(state: MeshState, move: ClusterMove): MeshState {
  const unit = (id: string) => movedUnitId(id, move.from, move.to);
  const units = state.units.map((u): UnitRecord => ({ ...u, id: unit(u.id), cluster: u.cluster === move.from ? move.to : u.cluster, dependsOn: u.dependsOn.map(unit) }));
  const objects = Object.fromEntries(
    Object.entries(state.objects).map(([address, r]): [string, ObjectRecord] =>
      r.cluster === move.from ? [movedAddress(address, move.from, move.to), { ...r, cluster: move.to, unit: unit(r.unit) }] : [address, { ...r, unit: unit(r.unit) }],
    ),
  );
  if (!state.clusters) return { ...state, units, objects };
  const { [move.from]: connection, ...others } = state.clusters;
  return { ...state, units, objects, clusters: connection ? { ...others, [move.to]: connection } : others };
}

/**
 * "<from>/<kind>" → "<to>/<kind>"; a remote secret for `from` in another primary,
 * "<target>/remote-secret/<from>", → "<target>/remote-secret/<to>" (it is that cluster's
 * secret, and its object is renamed by the next plan). Other IDs are unchanged.
 */
function movedUnitId(id: string, from: string, to: string): string {
  const parts = id.split('/');
  if (parts[0] === from) parts[0] = to;
  if (parts.length === 3 && parts[1] === 'remote-secret' && parts[2] === from) parts[2] = to;
  return parts.join('/');
}

/** "<from>/Kind.group/namespace/name" → "<to>/…" (an object address begins with its cluster). */
function movedAddress(address: string, from: string, to: string): string {
  return `${to}${address.slice(from.length)}`;
}

/** A cluster the state records under one name that mesh.yaml now names otherwise: same context, same kubeconfig. */
export interface RenameWithoutMove {
  readonly recorded: string;
  readonly named: string;
  readonly context: string;
}

/**
 * Departed clusters (in the state, not in mesh.yaml) whose recorded connection is that of a
 * cluster mesh.yaml names: one cluster under two names. Removing the one and adding the other
 * would delete, in that very cluster, the objects the addition makes.
 */
export function sameClusterUnderTwoNames(
  departed: readonly string[],
  recorded: Readonly<Record<string, ClusterConnection>> | undefined,
  named: readonly { readonly name: string; readonly context: string; readonly kubeconfig?: string }[],
): RenameWithoutMove[] {
  return departed.flatMap((d) => {
    const c = recorded?.[d];
    const same = c ? named.find((n) => n.context === c.context && (n.kubeconfig ?? '') === (c.kubeconfig ?? '')) : undefined;
    return c && same ? [{ recorded: d, named: same.name, context: c.context }] : [];
  });
}
