// How a planned wait is named, in the plan views and in apply's progress lines alike.
import type { ObjectRef } from '../kube/object.js';
import { CRD_WAKE_AFTER_MS, CRD_WAKE_ANNOTATION } from './names.js';
import type { WaitFor } from './desired.js';

export function describeWait(w: WaitFor): string {
  switch (w.kind) {
    case 'deployment-available':
      return `Deployment ${w.namespace}/${w.name} rolled out`;
    case 'loadbalancer-address':
      return `LoadBalancer address of Service ${w.namespace}/${w.name}`;
    case 'crds-established':
      return `CRDs established (${w.names.length})`;
    case 'webhook-cabundle':
      return `caBundle of MutatingWebhookConfiguration ${w.name} patched by istiod`;
    case 'token-populated':
      return `token in Secret ${w.namespace}/${w.name}`;
    case 'gone':
      return describeGone(w.refs);
  }
}

function describeGone(refs: readonly ObjectRef[]): string {
  const kinds = [...new Set(refs.map((r) => r.kind))];
  const what = refs.length === 1 ? `${refs[0]!.kind} ${refs[0]!.namespace ? `${refs[0]!.namespace}/` : ''}${refs[0]!.name}` : `${refs.length} ${kinds.join('/')} objects`;
  const nudge = kinds.includes('CustomResourceDefinition') ? ` (a CRD whose finalizer stalls is annotated ${CRD_WAKE_ANNOTATION} every ${CRD_WAKE_AFTER_MS / 1000}s)` : '';
  return `${what} deleted${nudge}`;
}

/** The wait as seen from a unit of `cluster`: another cluster's condition is prefixed with its name. */
export function waitText(w: WaitFor, cluster: string): string {
  return `${w.cluster && w.cluster !== cluster ? `${w.cluster}: ` : ''}${describeWait(w)}`;
}
