// Reading the live state of every cluster: one list per (kind, namespace) that meshctl
// wants or remembers, all clusters and kinds in parallel — never one GET per object, so the
// number of requests of a no-op plan does not grow with the number of objects.
import { isDeepStrictEqual } from 'node:util';
import { objectAddress, refOf, type KubeObject, type ObjectRef } from '../kube/object.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { DiagnosticsError } from '../diagnostics.js';
import type { ObjectRecord } from '../state/state.js';

export interface Wanted {
  readonly cluster: string;
  readonly ref: ObjectRef;
  /** The object as far as it is known before listing (its values may still hold placeholders). */
  readonly desired?: KubeObject;
  /** What the state recorded for it. */
  readonly recorded?: ObjectRecord;
}

/** Objects listed by label in every namespace (not named in advance). */
export interface Selection {
  readonly cluster: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly labelSelector: string;
}

export interface LiveState {
  /** Raw live objects by address (secret values included: in memory only, never persisted). */
  readonly objects: Map<string, KubeObject>;
  /** "cluster/apiVersion/kind" whose API is not served yet (CRD not installed). */
  readonly notServed: Set<string>;
  /** Tolerated clusters that failed to answer, with why (the first failure). */
  readonly unreachable: Map<string, string>;
}

interface ListKey {
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
}

/**
 * Which lists cover the wanted objects: per kind, one namespace if they share one, else all;
 * each with the wanted objects it covers.
 */
export function listsFor(wanted: readonly Wanted[]): Array<{ key: ListKey; wanted: Wanted[] }> {
  const groups = new Map<string, { key: ListKey; namespaces: Set<string | undefined>; wanted: Wanted[] }>();
  for (const w of wanted) {
    const id = `${w.cluster}\u0000${w.ref.apiVersion}\u0000${w.ref.kind}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key: { cluster: w.cluster, apiVersion: w.ref.apiVersion, kind: w.ref.kind }, namespaces: new Set(), wanted: [] }));
    g.namespaces.add(w.ref.namespace);
    g.wanted.push(w);
  }
  return [...groups.values()].map(({ key, namespaces, wanted: covered }) => {
    const [only] = [...namespaces];
    return { key: namespaces.size === 1 && only !== undefined ? { ...key, namespace: only } : key, wanted: covered };
  });
}

/**
 * Nothing in meshctl reads managedFields, and they are a large share of every object: dropped
 * as objects arrive, they never fill a plan's memory.
 */
function dropManagedFields(o: KubeObject): KubeObject {
  delete (o.metadata as { managedFields?: unknown }).managedFields;
  return o;
}

/**
 * Kinds whose spec is large and whose generation the API server raises on every spec change.
 * Istio's CRDs are most of the bytes a no-op plan would read (docs/state-format.md,
 * "generation"), for objects that almost never change.
 */
const READ_BY_GENERATION = new Set(['CustomResourceDefinition']);

/**
 * `tolerate`: clusters whose failure to answer is a finding, not an error (clusters that left
 * mesh.yaml): they are reported in `unreachable` and the rest is read as usual.
 */
export async function observe(
  clients: ReadonlyMap<string, ClusterClient>,
  wanted: readonly Wanted[],
  selections: readonly Selection[] = [],
  opts: { readonly tolerate?: ReadonlySet<string> } = {},
): Promise<LiveState> {
  const objects = new Map<string, KubeObject>();
  const notServed = new Set<string>();
  const unreachable = new Map<string, string>();
  const clientOf = (cluster: string) => {
    const client = clients.get(cluster);
    if (!client) throw new Error(`no client for cluster ${cluster}: this is a bug in meshctl`);
    return client;
  };
  const guarded = (cluster: string, read: () => Promise<void>) =>
    read().catch((e: unknown) => {
      if (!opts.tolerate?.has(cluster)) throw e;
      if (!unreachable.has(cluster)) unreachable.set(cluster, e instanceof DiagnosticsError ? e.diagnostics.map((d) => d.detail).join(' ') : String((e as Error).message ?? e));
    });
  const selected = selections.map((s) =>
    guarded(s.cluster, async () => {
      const items = await clientOf(s.cluster).list(s.apiVersion, s.kind, undefined, { labelSelector: s.labelSelector });
      if (items === 'not-served') return;
      for (const o of items) objects.set(objectAddress(s.cluster, refOf(o)), dropManagedFields(o));
    }),
  );
  await Promise.all([
    ...selected,
    ...listsFor(wanted).map(({ key: k, wanted: covered }) =>
      guarded(k.cluster, async () => {
        const client = clientOf(k.cluster);
        const unchanged = READ_BY_GENERATION.has(k.kind) ? await unchangedSinceApply(client, k, covered) : undefined;
        if (unchanged) {
          for (const o of unchanged) objects.set(objectAddress(k.cluster, refOf(o)), o);
          return;
        }
        const items = await client.list(k.apiVersion, k.kind, k.namespace);
        if (items === 'not-served') {
          notServed.add(`${k.cluster}/${k.apiVersion}/${k.kind}`);
          return;
        }
        for (const o of items) objects.set(objectAddress(k.cluster, refOf(o)), dropManagedFields(o));
      }),
    ),
  ]);
  return { objects, notServed, unreachable };
}

/**
 * When every wanted object of a list is, by the state, exactly what meshctl last applied and
 * still wanted unchanged, a metadata-only list tells whether anyone changed a spec since: the
 * generation moves on every spec change. If none moved, each live object is its live metadata
 * with the spec meshctl sent, which is what the full list would have shown the planner for the
 * fields meshctl manages (kinds here have no fields owned by other controllers). Anything else
 * (no state, a body or generation that differs, an object not in the state) gets the full list,
 * so a drifted or changed object is always compared with what the cluster really holds.
 */
async function unchangedSinceApply(client: ClusterClient, k: ListKey, wanted: readonly Wanted[]): Promise<KubeObject[] | undefined> {
  const recorded = new Map<string, { generation: number; applied: KubeObject }>();
  for (const w of wanted) {
    const r = w.recorded;
    if (!w.desired || r?.status !== 'applied' || typeof r.generation !== 'number' || !r.applied) return undefined;
    if (!isDeepStrictEqual(w.desired, r.applied)) return undefined;
    recorded.set(objectAddress(w.cluster, w.ref), { generation: r.generation, applied: r.applied as KubeObject });
  }
  const items = await client.list(k.apiVersion, k.kind, k.namespace, { metadataOnly: true });
  if (items === 'not-served') return undefined;
  const out: KubeObject[] = [];
  for (const item of items) {
    const address = objectAddress(k.cluster, refOf(item));
    const r = recorded.get(address);
    if (!r) continue; // not meshctl's: the planner never looks at it
    if (item.metadata.generation !== r.generation) return undefined;
    dropManagedFields(item);
    const { metadata: _sent, ...body } = r.applied;
    out.push({ ...body, apiVersion: k.apiVersion, kind: k.kind, metadata: item.metadata } as KubeObject);
  }
  return out;
}
