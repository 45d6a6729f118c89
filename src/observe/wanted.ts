// Which objects a plan lists: every object the units render, with what the state recorded for
// it, and every object the state remembers that mesh.yaml no longer wants (to delete, or to
// report as gone).
import { objectAddress, refOf, type KubeObject } from '../kube/object.js';
import type { Unit } from '../model/desired.js';
import type { MeshState } from '../state/state.js';
import { ROOT_CERT_CONFIGMAP_LABEL } from '../model/names.js';
import type { Selection, Wanted } from './observe.js';

/** `desiredObjects`: unit id → its objects as far as known (values may still be placeholders). */
export function wantedOf(desiredObjects: ReadonlyMap<string, readonly KubeObject[]>, units: readonly Unit[], prior: MeshState | null): Wanted[] {
  const out: Wanted[] = [];
  const desired = new Set<string>();
  for (const u of units) {
    for (const o of desiredObjects.get(u.id) ?? []) {
      const ref = refOf(o);
      const address = objectAddress(u.cluster, ref);
      desired.add(address);
      out.push({ cluster: u.cluster, ref, desired: o, ...(prior?.objects[address] ? { recorded: prior.objects[address] } : {}) });
    }
  }
  for (const [address, r] of Object.entries(prior?.objects ?? {})) if (!desired.has(address)) out.push({ cluster: r.cluster, ref: r.ref, recorded: r });
  return out;
}

/**
 * In each cluster the mesh leaves, the ConfigMaps istiod labels as its own, in every
 * namespace: the planner deletes the istio-ca-root-cert ones it can show meshctl's mesh caused.
 */
export function istiodLeftoverLists(clusters: readonly string[]): Selection[] {
  return clusters.map((cluster) => ({ cluster, apiVersion: 'v1', kind: 'ConfigMap', labelSelector: `${ROOT_CERT_CONFIGMAP_LABEL.key}=${ROOT_CERT_CONFIGMAP_LABEL.value}` }));
}
