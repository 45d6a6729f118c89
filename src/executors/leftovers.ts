// What a running istiod writes on its own and nobody removes on uninstall: the
// istio-ca-root-cert ConfigMap it puts in every namespace (label istio.io/config=true).
// meshctl installed that istiod, so destroy removes these too, to leave the cluster as found.
import type { ClusterClient } from '../kube/cluster-client.js';

export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';

export async function removeIstiodLeftovers(client: ClusterClient): Promise<number> {
  const items = await client.list('v1', 'ConfigMap', undefined, { labelSelector: 'istio.io/config=true' });
  if (items === 'not-served') return 0;
  const mine = items.filter((o) => o.metadata.name === ROOT_CERT_CONFIGMAP);
  await Promise.all(mine.map((o) => client.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: o.metadata.namespace, name: o.metadata.name })));
  return mine.length;
}
