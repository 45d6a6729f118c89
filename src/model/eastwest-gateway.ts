// The east-west gateway: the IstioOperator `samples/multicluster/gen-eastwest-gateway.sh
// --network <n> [--revision <r>]` prints, reproduced exactly (the guide's --mesh/--cluster
// flags are accepted and ignored by the script since istio/istio#35025). meshctl adds only
// the cluster's Service type and annotations from mesh.yaml, and only when they differ from
// the script's defaults, so the default output stays byte-for-byte the sample's.
import type { EastWestGatewaySettings } from '../config/topology.js';
import type { PlainObject } from './deep-merge.js';
import type { IstioOperatorSpec, Unit, WaitFor } from './desired.js';
import { EASTWEST_GATEWAY_NAME, EASTWEST_IOP_NAME, ISTIO_NAMESPACE, NETWORK_LABEL } from './names.js';
import { controllerOf, type UnitContext } from './unit-context.js';
import { controlPlaneId, remoteSecretId, unitId } from './unit-id.js';

/** The script's IstioOperator for one network and revision ("" = default, as the script emits). */
export function eastWestGatewayOperator(o: { network: string; revision?: string }): IstioOperatorSpec {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: EASTWEST_IOP_NAME },
    spec: {
      revision: o.revision ?? '',
      profile: 'empty',
      components: {
        ingressGateways: [
          {
            name: EASTWEST_GATEWAY_NAME,
            label: { istio: 'eastwestgateway', app: EASTWEST_GATEWAY_NAME, [NETWORK_LABEL]: o.network },
            enabled: true,
            k8s: {
              // traffic through this gateway should be routed inside the network
              env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: o.network }],
              service: {
                ports: [
                  { name: 'status-port', port: 15021, targetPort: 15021 },
                  { name: 'tls', port: 15443, targetPort: 15443 },
                  { name: 'tls-istiod', port: 15012, targetPort: 15012 },
                  { name: 'tls-webhook', port: 15017, targetPort: 15017 },
                ],
              },
            },
          },
        ],
      },
      values: {
        gateways: { 'istio-ingressgateway': { injectionTemplate: 'gateway' } },
        global: { network: o.network },
      },
    },
  };
}

export function eastWestGatewayUnit(ctx: UnitContext): Unit {
  const { cluster, topology } = ctx;
  const controller = controllerOf(ctx);
  const settings = cluster.eastWestGateway;
  const remotes = [...ctx.shape.controllerOf].filter(([, primary]) => primary === cluster.name).map(([remote]) => remote);
  const waits: WaitFor[] = [];
  if (settings.serviceType === 'LoadBalancer') {
    waits.push({ kind: 'loadbalancer-address', namespace: ISTIO_NAMESPACE, name: EASTWEST_GATEWAY_NAME });
  }
  waits.push({ kind: 'deployment-available', namespace: ISTIO_NAMESPACE, name: EASTWEST_GATEWAY_NAME });
  return {
    id: unitId(cluster.name, 'eastwest-gateway'),
    cluster: cluster.name,
    kind: 'eastwest-gateway',
    dependsOn: [
      controlPlaneId(cluster.name, topology.istio.revision),
      // In a remote the gateway pod is injected through the webhook served by the primary's
      // istiod; that webhook has no caBundle until the primary holds this cluster's secret
      // and patched it (istio/istio#42327). The secret unit waits for the patch.
      ...(controller ? [remoteSecretId(controller, cluster.name)] : []),
    ],
    // The gateway carrying remotes' control-plane traffic is a proxy: an upgrade moves it after
    // their configuration (Istio: control plane first, then the data plane).
    ...(remotes.length ? { updatesAfter: remotes.map((r) => controlPlaneId(r, topology.istio.revision)) } : {}),
    objects: [],
    istioOperator: withServiceSettings(eastWestGatewayOperator({ network: cluster.network, revision: topology.istio.revision }), settings),
    waits,
    outputs: ['address'],
  };
}

/** Service type and annotations from mesh.yaml, set only when not the script's defaults. */
function withServiceSettings(iop: IstioOperatorSpec, settings: EastWestGatewaySettings): IstioOperatorSpec {
  const gateway = ((iop.spec.components as PlainObject).ingressGateways as PlainObject[])[0]!;
  const k8s = gateway.k8s as PlainObject;
  if (settings.serviceType !== 'LoadBalancer') {
    k8s.service = { type: settings.serviceType, ...(k8s.service as PlainObject) };
  }
  if (Object.keys(settings.annotations).length > 0) {
    k8s.serviceAnnotations = { ...settings.annotations };
  }
  return iop;
}
