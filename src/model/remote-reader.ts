// What `istioctl create-remote-secret` writes into the *source* cluster before it can print the
// secret: on Kubernetes >= 1.24 a long-lived token Secret for the reader ServiceAccount
// (remote_secret.go getOrCreateServiceAccountSecret; istio/istio#38246). The ServiceAccount
// istio-reader-service-account and its ClusterRole/Binding are not repeated here: the base and
// istiod charts render them with the control plane, which this unit follows. (For a remote
// that rendering also grants the webhook/configmap writes its controlling istiod needs.)
import type { KubeObject } from '../kube/object.js';
import type { Unit } from './desired.js';
import { ISTIO_NAMESPACE, READER_SERVICE_ACCOUNT, READER_TOKEN_SECRET } from './names.js';
import type { UnitContext } from './unit-context.js';
import { controlPlaneId, unitId } from './unit-id.js';

export function remoteReaderUnit(ctx: UnitContext): Unit {
  const cluster = ctx.cluster.name;
  const tokenSecret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: READER_TOKEN_SECRET,
      namespace: ISTIO_NAMESPACE,
      annotations: { 'kubernetes.io/service-account.name': READER_SERVICE_ACCOUNT },
    },
    type: 'kubernetes.io/service-account-token',
  };
  return {
    id: unitId(cluster, 'remote-reader'),
    cluster,
    kind: 'remote-reader',
    dependsOn: [controlPlaneId(cluster, ctx.topology.istio.revision)],
    objects: [tokenSecret],
    // The token controller fills `token` and `ca.crt` asynchronously; create-remote-secret
    // polls for them the same way.
    waits: [{ kind: 'token-populated', namespace: ISTIO_NAMESPACE, name: READER_TOKEN_SECRET }],
    outputs: ['token', 'caData'],
  };
}
