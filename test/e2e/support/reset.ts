// Leaves shared clusters clean between e2e files: a file that failed half-way must not make
// the next one fail. Deletes what an Istio install leaves (istio-system, Istio CRDs, webhooks,
// cluster RBAC, istiod's root-cert ConfigMaps) and waits until it is gone.
import * as k8s from '@kubernetes/client-node';
import { eventually, kubeConfig } from '../../harness/e2e.js';

const istio = (name: string) => name.includes('istio');

export async function resetClusters(contexts: readonly string[]): Promise<void> {
  await Promise.all(contexts.map(resetCluster));
}

async function resetCluster(ctx: string): Promise<void> {
  const kc = kubeConfig(ctx);
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const del = async (apiVersion: string, kind: string, pick: (name: string) => boolean, namespace?: string) => {
    const list = await api.list(apiVersion, kind, namespace);
    await Promise.all(
      list.items
        .filter((o) => pick(o.metadata!.name!))
        .map((o) => api.delete({ apiVersion, kind, metadata: { name: o.metadata!.name!, namespace: o.metadata!.namespace } }).catch(() => undefined)),
    );
  };
  await del('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', istio);
  await del('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', istio);
  await del('rbac.authorization.k8s.io/v1', 'ClusterRole', istio);
  await del('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', istio);
  await del('apiextensions.k8s.io/v1', 'CustomResourceDefinition', (n) => n.endsWith('.istio.io'));
  await del('v1', 'ConfigMap', (n) => n === 'istio-ca-root-cert');
  await del('v1', 'Namespace', (n) => n === 'istio-system');
  await eventually(`${ctx}: istio-system gone`, async () => {
    const ns = await api.list('v1', 'Namespace');
    return ns.items.some((n) => n.metadata!.name === 'istio-system') ? undefined : true;
  }, { timeoutMs: 120_000, intervalMs: 500 });
}
