// The istio-system namespace, with only the metadata meshctl owns on it. The guide creates or
// labels the namespace by hand before installing; `istioctl install` labels it only when it
// creates it, so meshctl applies these fields itself (server-side apply: no other fields, so
// labels added by others are left alone).
import type { KubeObject } from '../kube/object.js';
import type { Unit } from './desired.js';
import { CONTROL_PLANE_CLUSTERS_ANNOTATION, ISTIO_NAMESPACE, NETWORK_LABEL } from './names.js';
import { controllerOf, type UnitContext } from './unit-context.js';
import { unitId } from './unit-id.js';

export function namespaceUnit(ctx: UnitContext): Unit {
  const controller = controllerOf(ctx);
  const namespace: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ISTIO_NAMESPACE,
      labels: { [NETWORK_LABEL]: ctx.cluster.network },
      // Only the controlling primary may patch the remote's webhook and write istio-ca-root-cert;
      // other primaries that read this remote must not (istio/istio#32244).
      ...(controller ? { annotations: { [CONTROL_PLANE_CLUSTERS_ANNOTATION]: controller } } : {}),
    },
  };
  return {
    id: unitId(ctx.cluster.name, 'namespace'),
    cluster: ctx.cluster.name,
    kind: 'namespace',
    dependsOn: [],
    objects: [namespace],
    waits: [],
    outputs: [],
  };
}
