// Reading the live state of every cluster: one list per (kind, namespace) that meshctl
// wants or remembers, all clusters and kinds in parallel — never one GET per object, so the
// number of requests of a no-op plan does not grow with the number of objects.
import { objectAddress, refOf, type KubeObject, type ObjectRef } from '../kube/object.js';
import type { ClusterClient } from '../kube/cluster-client.js';

export interface Wanted {
  readonly cluster: string;
  readonly ref: ObjectRef;
}

export interface LiveState {
  /** Raw live objects by address (secret values included: in memory only, never persisted). */
  readonly objects: Map<string, KubeObject>;
  /** "cluster/apiVersion/kind" whose API is not served yet (CRD not installed). */
  readonly notServed: Set<string>;
}

interface ListKey {
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
}

/** Which lists cover the wanted objects: per kind, one namespace if they share one, else all. */
export function listsFor(wanted: readonly Wanted[]): ListKey[] {
  const groups = new Map<string, { key: ListKey; namespaces: Set<string | undefined> }>();
  for (const w of wanted) {
    const id = `${w.cluster}\u0000${w.ref.apiVersion}\u0000${w.ref.kind}`;
    const g = groups.get(id) ?? { key: { cluster: w.cluster, apiVersion: w.ref.apiVersion, kind: w.ref.kind }, namespaces: new Set() };
    g.namespaces.add(w.ref.namespace);
    groups.set(id, g);
  }
  return [...groups.values()].map(({ key, namespaces }) => {
    const [only] = [...namespaces];
    return namespaces.size === 1 && only !== undefined ? { ...key, namespace: only } : key;
  });
}

export async function observe(clients: ReadonlyMap<string, ClusterClient>, wanted: readonly Wanted[]): Promise<LiveState> {
  const objects = new Map<string, KubeObject>();
  const notServed = new Set<string>();
  await Promise.all(
    listsFor(wanted).map(async (k) => {
      const client = clients.get(k.cluster);
      if (!client) throw new Error(`no client for cluster ${k.cluster}: this is a bug in meshctl`);
      const items = await client.list(k.apiVersion, k.kind, k.namespace);
      if (items === 'not-served') {
        notServed.add(`${k.cluster}/${k.apiVersion}/${k.kind}`);
        return;
      }
      for (const o of items) {
        // Nothing in meshctl reads managedFields, and they are up to half of an object's size:
        // dropped here, a 16-cluster plan holds tens of MB less.
        delete (o.metadata as { managedFields?: unknown }).managedFields;
        objects.set(objectAddress(k.cluster, refOf(o)), o);
      }
    }),
  );
  return { objects, notServed };
}
