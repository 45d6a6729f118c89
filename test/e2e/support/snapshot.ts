// What a cluster holds, as a user would compare it before and after: every namespace with
// its labels and annotations, and every object of the kinds an Istio install touches.
import * as k8s from '@kubernetes/client-node';
import { kubeConfig } from '../../harness/e2e.js';

const kinds: readonly [string, string][] = [
  ['v1', 'Namespace'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'ServiceAccount'],
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
];

/**
 * Scratch namespaces of the harness's own tests (uniqueName('harness')) come and go on the shared
 * clusters independently of any mesh; they are no part of what an install touched.
 */
const scratch = (ns: string | undefined) => ns?.startsWith('harness-') === true;

/** Sorted lines "Kind ns/name {labels} {annotations}" (Namespace metadata included). */
export async function snapshot(context: string): Promise<string[]> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kubeConfig(context));
  const lines: string[] = [];
  for (const [apiVersion, kind] of kinds) {
    const list = await api.list(apiVersion, kind);
    for (const o of list.items) {
      const m = o.metadata!;
      if (scratch(m.namespace) || (kind === 'Namespace' && scratch(m.name))) continue;
      // Terminating namespaces count as gone once they are; callers wait for that.
      const meta = kind === 'Namespace' ? ` ${JSON.stringify(m.labels ?? {})} ${JSON.stringify(m.annotations ?? {})}` : '';
      // Token-controller bookkeeping on default ServiceAccounts changes by itself; names suffice.
      lines.push(`${kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}${meta}`);
    }
  }
  return lines.sort();
}
