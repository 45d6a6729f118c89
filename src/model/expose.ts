// The two sample files the guide applies with `kubectl apply -n istio-system`, as objects:
// samples/multicluster/expose-istiod.yaml (or expose-istiod-rev.yaml.tmpl with the revision
// substituted, as the guide's sed does) and samples/multicluster/expose-services.yaml.
// Reproduced field for field; meshctl only sets metadata.namespace, which `-n` supplied.
import type { KubeObject } from '../kube/object.js';
import type { Unit } from './desired.js';
import { ISTIO_NAMESPACE } from './names.js';
import type { UnitContext } from './unit-context.js';
import { unitId } from './unit-id.js';

const NETWORKING = 'networking.istio.io/v1';

/**
 * Gateway istiod-gateway + VirtualService istiod-vs[-<rev>]: istiod's 15012/15017 via east-west.
 * One VirtualService per revision installed (istio.revision and istio.keepRevisions, `undefined`
 * for the unrevisioned one): during a canary the remotes' proxies of the old revision still
 * dial istiod-<old> through this gateway.
 */
export function exposeIstiodObjects(revisions: readonly (string | undefined)[]): KubeObject[] {
  const gateway = eastWestGatewayRoute('istiod-gateway', [
    { port: { name: 'tls-istiod', number: 15012, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
    { port: { name: 'tls-istiodwebhook', number: 15017, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
  ]);
  return [gateway, ...revisions.map((r) => istiodVirtualService(r, revisions.length > 1))];
}

function istiodVirtualService(revision: string | undefined, narrow: boolean): KubeObject {
  const istiod = revision ? `istiod-${revision}` : 'istiod';
  const host = `${istiod}.${ISTIO_NAMESPACE}.svc.cluster.local`;
  // The revisioned template narrows SNI to that revision's istiod; the default file takes any,
  // which beside another revision's route would take that one's traffic too.
  const sniHosts = revision || narrow ? [`${istiod}.${ISTIO_NAMESPACE}.svc`, host] : ['*'];
  const route = (port: number, targetPort: number) => ({
    match: [{ port, sniHosts: [...sniHosts] }],
    route: [{ destination: { host, port: { number: targetPort } } }],
  });
  const virtualService: KubeObject = {
    apiVersion: NETWORKING,
    kind: 'VirtualService',
    metadata: { name: revision ? `istiod-vs-${revision}` : 'istiod-vs', namespace: ISTIO_NAMESPACE },
    spec: {
      hosts: ['*'],
      gateways: ['istiod-gateway'],
      // 15017 lands on the istiod Service's port 443, which targets the webhook's 15017.
      tls: [route(15012, 15012), route(15017, 443)],
    },
  };
  return virtualService;
}

/** Gateway cross-network-gateway: mTLS passthrough of every *.local service on 15443. */
export function exposeServicesObjects(): KubeObject[] {
  return [eastWestGatewayRoute('cross-network-gateway', [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }])];
}

/** An Istio Gateway bound to the east-west gateway's pods (label istio: eastwestgateway). */
function eastWestGatewayRoute(name: string, servers: readonly Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: NETWORKING,
    kind: 'Gateway',
    metadata: { name, namespace: ISTIO_NAMESPACE },
    spec: { selector: { istio: 'eastwestgateway' }, servers },
  };
}

export function exposeIstiodUnit(ctx: UnitContext): Unit {
  const { revision, keepRevisions } = ctx.topology.istio;
  const revisions = [revision, ...keepRevisions.map((r) => (r === 'default' ? undefined : r))];
  return exposeUnit(ctx, { kind: 'expose-istiod', objects: exposeIstiodObjects(revisions) });
}

export function exposeServicesUnit(ctx: UnitContext): Unit {
  return exposeUnit(ctx, { kind: 'expose-services', objects: exposeServicesObjects() });
}

/** Both are plain objects selecting the east-west gateway's pods, so they follow that gateway. */
function exposeUnit(ctx: UnitContext, o: { kind: 'expose-istiod' | 'expose-services'; objects: KubeObject[] }): Unit {
  const cluster = ctx.cluster.name;
  return {
    id: unitId(cluster, o.kind),
    cluster,
    kind: o.kind,
    dependsOn: [unitId(cluster, 'eastwest-gateway')],
    objects: o.objects,
    waits: [],
    outputs: [],
  };
}
