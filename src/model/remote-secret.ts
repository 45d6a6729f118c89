// Secret istio-remote-secret-<source> in a primary: the output of `istioctl
// create-remote-secret --name=<source>` (remote_secret.go createRemoteServiceAccountSecret),
// applied in the target primary. Differences, for the executor's sake (docs/model.md): the
// namespace is always explicit (istio/istio#49780), and the kubeconfig goes in `data`, not
// `stringData`: the printed stringData is only a readability convenience of istioctl.
import type { KubeObject } from '../kube/object.js';
import type { RemoteKubeconfigTemplate, Unit, Unknown, WaitFor } from './desired.js';
import { CLUSTER_NAME_ANNOTATION, ISTIO_NAMESPACE, MULTICLUSTER_SECRET_LABEL, REMOTE_SECRET_PREFIX, revisioned } from './names.js';
import type { UnitContext } from './unit-context.js';
import { controlPlaneId, remoteSecretId, unitId } from './unit-id.js';

/** ctx.cluster is the target primary; `source` is the cluster whose API the secret opens. */
export function remoteSecretUnit(ctx: UnitContext, source: { name: string; context: string; apiServer?: string }): Unit {
  const target = ctx.cluster.name;
  const reader = unitId(source.name, 'remote-reader');
  const token = (): Unknown => ({ $unknown: { unit: reader, output: 'token', sensitive: true } });
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${REMOTE_SECRET_PREFIX}${source.name}`,
      namespace: ISTIO_NAMESPACE,
      labels: { [MULTICLUSTER_SECRET_LABEL]: 'true' },
      annotations: { [CLUSTER_NAME_ANNOTATION]: source.name },
    },
    // The whole kubeconfig embeds the token, so the value is as sensitive as the token.
    data: { [source.name]: token() },
  };
  const remoteKubeconfig: RemoteKubeconfigTemplate = {
    dataKey: source.name,
    clusterName: source.name,
    server: source.apiServer ? { kind: 'url', url: source.apiServer } : { kind: 'kubeconfig', cluster: source.name, context: source.context },
    certificateAuthorityData: { $unknown: { unit: reader, output: 'caData' } },
    token: token(),
  };
  // Only the controlling primary patches the remote's injection webhook; the secret has done
  // its job when that patch has landed, and the remote's gateway waits on exactly this.
  const waits: WaitFor[] =
    ctx.shape.controllerOf.get(source.name) === target
      ? [
          {
            kind: 'webhook-cabundle',
            cluster: source.name,
            name: revisioned('istio-sidecar-injector', ctx.topology.istio.revision),
          },
        ]
      : [];
  return {
    id: remoteSecretId(target, source.name),
    cluster: target,
    kind: 'remote-secret',
    dependsOn: [reader, controlPlaneId(target, ctx.topology.istio.revision)],
    objects: [secret],
    waits,
    outputs: [],
    remoteKubeconfig,
  };
}
