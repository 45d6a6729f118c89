// What istiod's effects (webhook-cabundle.ts, root-cert-configmap.ts) get from istiod.ts: one
// cluster it controls, reached with the credentials a real istiod would use there.
import type { V1Namespace } from '@kubernetes/client-node';
import type { ClusterClients } from './clients.js';
import type { EffectOn } from './effects.js';

export const ISTIO_NS = 'istio-system';

export interface IstiodTarget {
  clients: ClusterClients;
  cluster: string;
  /** The istiod's root certificate (PEM). */
  root: string;
  on: EffectOn;
  /** The target's namespaces when already listed. */
  namespaces?: V1Namespace[];
}
