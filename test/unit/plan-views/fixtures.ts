// Plans for the view and plan-file tests, made the way `meshctl plan` makes them: planMesh()
// over a hand-made Desired, Observed and prior state. Secret data goes through
// maskSecretData() first, as the model and observe do, so the secret strings below must never
// appear in any output.
import type { KubeObject } from '../../../src/kube/object.js';
import { objectAddress, refOf } from '../../../src/kube/object.js';
import { maskSecretData } from '../../../src/kube/sensitive.js';
import type { Desired, Unit, UnitKind, Unknown, WaitFor } from '../../../src/model/desired.js';
import { planMesh, type Observed } from '../../../src/planner/plan-mesh.js';
import type { Plan, PlanMode } from '../../../src/planner/plan.js';
import type { MeshState, ObjectRecord, UnitRecord } from '../../../src/state/state.js';

export const createdAt = '2025-03-04T05:06:07.000Z';
export const meshctlVersion = '0.1.0';
export const sourceDigest = 'sha256:5d41402abc4b2a76b9719d911017c592a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const lineage = '3f2c9a1e-8b7d-4c6e-9f10-2a3b4c5d6e7f';

/** Secret material placed in objects before masking: must never be written anywhere. */
export const secrets = {
  caKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-secret-ca-key-7b1e',
  caCert: 'MIIDdzCCAl-secret-ca-cert-52aa',
  rootCert: 'MIIDdzCCAl-secret-root-cert-91cd',
  readerToken: 'eyJhbGciOiJSUzI1NiIsImtpZCI6-secret-reader-token-0c3f',
  rotatedKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-secret-rotated-key-e44d',
} as const;

const b64 = (s: string) => Buffer.from(s).toString('base64');

function ns(name: string, labels: Record<string, string>, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...(annotations ? { annotations } : {}) } };
}

function secret(name: string, data: Record<string, string | Unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return maskSecretData({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'istio-system' }, type: 'Opaque', data, ...extra });
}

function configMap(name: string, data: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system' }, data };
}

const unknown = (unit: string, output: Unknown['$unknown']['output'], isSecret = false): Unknown => ({
  $unknown: isSecret ? { unit, output, sensitive: true } : { unit, output },
});

function unit(id: string, cluster: string, kind: UnitKind, objects: KubeObject[], dependsOn: string[] = [], waits: WaitFor[] = []): Unit {
  return { id, cluster, kind, dependsOn, objects, waits, outputs: [] };
}

export interface MeshOptions {
  /** Values of the later units are known (a re-plan after apply). */
  readonly resolved?: boolean;
  /** mesh.yaml was edited: another meshConfig and a rotated CA key. */
  readonly edited?: boolean;
  /** cluster2 has left the topology. */
  readonly withoutCluster2?: boolean;
}

/** A primary (cluster1) and a remote (cluster2) on two networks, as the guide builds them. */
export function desiredMesh(opts: MeshOptions = {}): Desired {
  const address = opts.resolved ? '203.0.113.10' : unknown('cluster1/eastwest-gateway', 'address');
  const token: string | Unknown = opts.resolved ? secrets.readerToken : unknown('cluster2/remote-reader', 'token', true);
  const units: Unit[] = [
    unit('cluster1/namespace', 'cluster1', 'namespace', [ns('istio-system', { 'topology.istio.io/network': 'network1' })]),
    unit(
      'cluster1/cacerts',
      'cluster1',
      'cacerts',
      [secret('cacerts', { 'ca-cert.pem': b64(secrets.caCert), 'ca-key.pem': b64(opts.edited ? secrets.rotatedKey : secrets.caKey), 'root-cert.pem': b64(secrets.rootCert) })],
      ['cluster1/namespace'],
    ),
    unit(
      'cluster1/control-plane',
      'cluster1',
      'control-plane',
      [
        configMap('istio', { mesh: opts.edited ? 'defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: "true"\ntrustDomain: cluster.local\n' : 'trustDomain: cluster.local\n' }),
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'istiod', namespace: 'istio-system' } },
      ],
      ['cluster1/namespace', 'cluster1/cacerts'],
      [{ kind: 'deployment-available', namespace: 'istio-system', name: 'istiod' }],
    ),
    unit(
      'cluster1/eastwest-gateway',
      'cluster1',
      'eastwest-gateway',
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system' }, spec: { type: 'LoadBalancer', ports: [{ name: 'tls', port: 15443 }] } }],
      ['cluster1/control-plane'],
      [{ kind: 'loadbalancer-address', namespace: 'istio-system', name: 'istio-eastwestgateway' }],
    ),
    unit(
      'cluster1/expose-istiod',
      'cluster1',
      'expose-istiod',
      [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'Gateway',
          metadata: { name: 'istiod-gateway', namespace: 'istio-system' },
          spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15012, name: 'tls-istiod', protocol: 'tls' }, hosts: ['*'], tls: { mode: 'PASSTHROUGH' } }] },
        },
      ],
      ['cluster1/eastwest-gateway'],
    ),
  ];
  if (!opts.withoutCluster2) {
    units.push(
      unit('cluster2/namespace', 'cluster2', 'namespace', [ns('istio-system', { 'topology.istio.io/network': 'network2' }, { 'topology.istio.io/controlPlaneClusters': 'cluster1' })]),
      unit(
        'cluster2/remote-reader',
        'cluster2',
        'remote-reader',
        [
          secret(
            'istio-reader-service-account-istio-remote-secret-token',
            {},
            {
              type: 'kubernetes.io/service-account-token',
              metadata: {
                name: 'istio-reader-service-account-istio-remote-secret-token',
                namespace: 'istio-system',
                annotations: { 'kubernetes.io/service-account.name': 'istio-reader-service-account' },
              },
            },
          ),
        ],
        ['cluster2/namespace'],
        [{ kind: 'token-populated', namespace: 'istio-system', name: 'istio-reader-service-account-istio-remote-secret-token' }],
      ),
      unit(
        'cluster1/remote-secret/cluster2',
        'cluster1',
        'remote-secret',
        [
          secret(
            'istio-remote-secret-cluster2',
            { cluster2: token },
            { metadata: { name: 'istio-remote-secret-cluster2', namespace: 'istio-system', labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'cluster2' } } },
          ),
        ],
        ['cluster1/control-plane', 'cluster2/remote-reader'],
        [{ kind: 'webhook-cabundle', cluster: 'cluster2', name: 'istio-sidecar-injector' }],
      ),
      unit(
        'cluster2/control-plane',
        'cluster2',
        'control-plane',
        [configMap('istio-remote-pilot', { remotePilotAddress: address, network: 'network2' })],
        ['cluster2/namespace', 'cluster1/expose-istiod', 'cluster1/remote-secret/cluster2'],
      ),
    );
  }
  return { meshID: 'mesh1', units, kept: [] };
}

/** Objects as the API server would return them: what was sent plus a resourceVersion. */
export function liveOf(d: Desired, rv = (i: number) => String(1000 + i)): Map<string, KubeObject> {
  const live = new Map<string, KubeObject>();
  let i = 0;
  for (const u of d.units) {
    for (const o of u.objects) {
      const copy = structuredClone(o);
      copy.metadata.resourceVersion = rv(i++);
      copy.metadata.uid = `uid-${i}`;
      live.set(objectAddress(u.cluster, refOf(o)), copy);
    }
  }
  return live;
}

/** The state meshctl writes after applying `d` (everything applied, nothing existed before). */
export function stateAfter(d: Desired, serial: number, opts: { existedBefore?: ReadonlySet<string> } = {}): MeshState {
  const units: UnitRecord[] = d.units.map((u) => ({ id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: u.dependsOn, status: 'applied', outputs: {} }));
  const objects: Record<string, ObjectRecord> = {};
  for (const u of d.units) {
    for (const o of u.objects) {
      const address = objectAddress(u.cluster, refOf(o));
      objects[address] = { unit: u.id, cluster: u.cluster, ref: refOf(o), status: 'applied', existedBefore: opts.existedBefore?.has(address) ?? false, applied: o };
    }
  }
  return { version: 1, meshctlVersion, lineage, serial, meshID: d.meshID, units, objects };
}

export function plan(opts: { mode?: PlanMode; desired: Desired; live?: Map<string, KubeObject>; prior?: MeshState | null }): Plan {
  const observed: Observed = { objects: opts.live ?? new Map() };
  return planMesh({
    mode: opts.mode ?? 'apply',
    desired: opts.desired,
    observed,
    prior: opts.prior ?? null,
    source: { file: 'mesh.yaml', digest: sourceDigest },
    createdAt,
    meshctlVersion,
  });
}

const applied = desiredMesh({ resolved: true });

/** First plan of a new mesh: everything to create, later values known after apply. */
export const createsPlan = (): Plan => plan({ desired: desiredMesh() });

/** Right after apply: nothing to do. */
export const noChangesPlan = (): Plan => plan({ desired: applied, live: liveOf(applied), prior: stateAfter(applied, 7) });

/** mesh.yaml edited (meshConfig, rotated CA key) and a label changed by hand (drift). */
export function updatesPlan(): Plan {
  const live = liveOf(applied);
  const nsAddr = 'cluster1/Namespace/_/istio-system';
  live.set(nsAddr, { ...live.get(nsAddr)!, metadata: { ...live.get(nsAddr)!.metadata, labels: { 'topology.istio.io/network': 'network-typo' } } });
  return plan({ desired: desiredMesh({ resolved: true, edited: true }), live, prior: stateAfter(applied, 7) });
}

/** cluster2 left mesh.yaml: its objects go (its namespace existed before, so it only loses meshctl's fields). */
export function deletionsPlan(): Plan {
  const prior = stateAfter(applied, 7, { existedBefore: new Set(['cluster2/Namespace/_/istio-system']) });
  return plan({ desired: desiredMesh({ resolved: true, withoutCluster2: true }), live: liveOf(applied), prior });
}

/** Refresh-only: the network label was changed by hand and the remote secret deleted. */
export function driftPlan(): Plan {
  const live = liveOf(applied);
  const nsAddr = 'cluster2/Namespace/_/istio-system';
  live.set(nsAddr, { ...live.get(nsAddr)!, metadata: { ...live.get(nsAddr)!.metadata, labels: { 'topology.istio.io/network': 'network1' } } });
  live.delete('cluster1/Secret/istio-system/istio-remote-secret-cluster2');
  return plan({ mode: 'refresh-only', desired: applied, live, prior: stateAfter(applied, 7) });
}

/** Destroy of the whole mesh. */
export const destroyPlan = (): Plan => plan({ mode: 'destroy', desired: applied, live: liveOf(applied), prior: stateAfter(applied, 7) });

/** 30 clusters whose meshConfig changed a lot: far beyond one comment. */
export function hugePlan(): Plan {
  const mk = (version: string): Desired => ({
    meshID: 'big-mesh',
    units: Array.from({ length: 30 }, (_, c) => {
      const cluster = `cluster-${String(c).padStart(2, '0')}`;
      const data = Object.fromEntries(Array.from({ length: 60 }, (_, k) => [`setting-${k}`, `value ${k} of ${cluster} at ${version}`]));
      return [
        unit(`${cluster}/namespace`, cluster, 'namespace', [ns('istio-system', { 'topology.istio.io/network': `net-${c}` })]),
        unit(`${cluster}/control-plane`, cluster, 'control-plane', [configMap('istio', data)], [`${cluster}/namespace`]),
      ];
    }).flat(),
    kept: [],
  });
  const old = mk('v1');
  const prior = stateAfter(old, 3);
  // Half the clusters are being removed as well, so the warning has a long list.
  const wanted = mk('v2');
  const kept: Desired = { ...wanted, units: wanted.units.filter((u) => Number(u.cluster.slice(-2)) < 15) };
  return plan({ desired: kept, live: liveOf(old), prior });
}

export const allPlans: Record<string, () => Plan> = {
  'no-changes': noChangesPlan,
  creates: createsPlan,
  updates: updatesPlan,
  deletions: deletionsPlan,
  drift: driftPlan,
  destroy: destroyPlan,
  huge: hugePlan,
};
