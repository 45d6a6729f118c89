// What a running istiod wrote on its own and nobody removes on uninstall: the
// istio-ca-root-cert and istio-ca-crl ConfigMaps in every namespace. When the mesh leaves a
// cluster, meshctl deletes those it can show its own mesh caused, and leaves every other one
// alone (an Istio that was there before meshctl wrote its own).
import { objectAddress, refOf, type KubeObject } from '../kube/object.js';
import { sensitive, isSensitive } from '../kube/sensitive.js';
import { CRL_CONFIGMAP, ROOT_CERT_CONFIGMAP, ROOT_CERT_CONFIGMAP_LABEL } from '../model/names.js';
import type { MeshState, ObjectRecord } from '../state/state.js';
import type { Observed } from './plan-mesh.js';
import type { Change } from './plan.js';

/**
 * Clusters the mesh leaves: every cluster with a recorded cacerts unit (destroy: `keep` null),
 * or those whose cacerts unit is no longer wanted.
 */
export function losesMesh(prior: MeshState | null, keep: ReadonlySet<string> | null): string[] {
  return (prior?.units ?? []).filter((u) => u.kind === 'cacerts' && !keep?.has(u.id)).map((u) => u.cluster);
}

/**
 * Deletions of the ConfigMaps of `cluster` that meshctl's mesh caused. The evidence, all of it
 * in the live objects and the state: the cluster's cacerts Secret is one meshctl created (not
 * one it found), the ConfigMap was created no earlier than the Secret, and a root-cert one
 * holds that Secret's root certificate (a CRL one has no certificate to compare). A ConfigMap
 * failing any of these is not listed.
 */
export function istiodLeftovers(cluster: string, observed: Observed, prior: MeshState | null): Change[] {
  const cacerts = cacertsOf(cluster, prior, observed);
  if (!cacerts) return [];
  const out: Change[] = [];
  for (const [address, live] of observed.objects) {
    const which = istiodConfigMap(live);
    if (!which || objectAddress(cluster, refOf(live)) !== address) continue;
    const data = (live as { data?: Record<string, string> }).data ?? {};
    if (which === 'root-cert' && (data['root-cert.pem'] === undefined || sensitive(data['root-cert.pem']).display !== cacerts.root)) continue;
    if (!createdNoEarlier(live, cacerts.live)) continue;
    const ref = refOf(live);
    const labels = { [ROOT_CERT_CONFIGMAP_LABEL.key]: ROOT_CERT_CONFIGMAP_LABEL.value };
    const before = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ref.name, namespace: ref.namespace, labels }, data };
    out.push({
      address,
      unit: `${cluster}/istiod-leftovers`,
      cluster,
      ref,
      action: 'delete',
      reason: 'written-by-istiod',
      before,
      afterUnknown: [],
      observedResourceVersion: live.metadata.resourceVersion as string | undefined,
      existedBefore: false,
    });
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function cacertsOf(cluster: string, prior: MeshState | null, observed: Observed): { root: string; live: KubeObject } | undefined {
  const entry = Object.entries(prior?.objects ?? {}).find(([, r]) => isCacertsRecord(r, cluster));
  if (!entry || entry[1].existedBefore) return undefined;
  const live = observed.objects.get(entry[0]);
  const root = (live as { data?: Record<string, unknown> } | undefined)?.data?.['root-cert.pem'];
  if (!live || !isSensitive(root) || !root.display) return undefined;
  return { root: root.display, live };
}

function isCacertsRecord(r: ObjectRecord, cluster: string): boolean {
  return r.cluster === cluster && r.unit === `${cluster}/cacerts` && r.ref.kind === 'Secret';
}

function istiodConfigMap(o: KubeObject): 'root-cert' | 'crl' | undefined {
  const labels = (o.metadata as { labels?: Record<string, string> }).labels;
  if (o.kind !== 'ConfigMap' || labels?.[ROOT_CERT_CONFIGMAP_LABEL.key] !== ROOT_CERT_CONFIGMAP_LABEL.value) return undefined;
  return o.metadata.name === ROOT_CERT_CONFIGMAP ? 'root-cert' : o.metadata.name === CRL_CONFIGMAP ? 'crl' : undefined;
}

/** creationTimestamp has whole seconds: equal counts as after. */
function createdNoEarlier(o: KubeObject, than: KubeObject): boolean {
  const t = (x: KubeObject) => Date.parse(String((x.metadata as { creationTimestamp?: string }).creationTimestamp ?? ''));
  const a = t(o);
  const b = t(than);
  return Number.isFinite(a) && Number.isFinite(b) && a >= b;
}
