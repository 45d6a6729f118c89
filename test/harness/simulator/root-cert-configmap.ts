// Effect `rootCertConfigMap`, in place of a running istiod's namespace controller: ConfigMap
// istio-ca-root-cert (key root-cert.pem, label istio.io/config=true) in every namespace of each
// cluster that istiod controls (istiod.ts), except terminating and ignored namespaces.
import { statusCode } from './clients.js';
import type { Emit } from './effects.js';
import type { IstiodTarget } from './istiod-target.js';

export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
// As istiod's namespace controller (inject.IgnoredNamespaces minus kube-system).
const ROOT_CERT_IGNORED_NAMESPACES = new Set(['kube-public', 'kube-node-lease', 'local-path-storage']);

export async function writeRootCertConfigMaps(target: IstiodTarget, emit: Emit): Promise<void> {
  const { clients, cluster, root, on } = target;
  const namespaces = target.namespaces ?? (await clients.core.listNamespace()).items;
  const existing = (await clients.core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.name=${ROOT_CERT_CONFIGMAP}` })).items;
  for (const ns of namespaces) {
    const name = ns.metadata?.name ?? '';
    if (ns.status?.phase === 'Terminating' || ROOT_CERT_IGNORED_NAMESPACES.has(name) || !on('rootCertConfigMap', name)) continue;
    const cm = existing.find((c) => c.metadata?.namespace === name);
    if (cm?.data?.['root-cert.pem'] === root) continue;
    const body = { metadata: { name: ROOT_CERT_CONFIGMAP, namespace: name, labels: { 'istio.io/config': 'true' } }, data: { 'root-cert.pem': root } };
    try {
      if (cm)
        await clients.core.replaceNamespacedConfigMap({ name: ROOT_CERT_CONFIGMAP, namespace: name, body: { ...body, metadata: { ...body.metadata, resourceVersion: cm.metadata?.resourceVersion } } });
      else await clients.core.createNamespacedConfigMap({ namespace: name, body });
      emit('rootCertConfigMap', `${cluster}: ${ROOT_CERT_CONFIGMAP} written in namespace ${name}`);
    } catch (err) {
      // A namespace that started terminating after we listed it refuses new objects (403).
      if (statusCode(err) !== 403 && statusCode(err) !== 409) throw err;
    }
  }
}
