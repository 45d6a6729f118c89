// Intention-revealing builders for planner, view and executor tests (after changesets'
// FakeFullState): a test says "a control-plane unit with a Deployment, live with server
// fields, recorded as applied" instead of spelling out Kubernetes objects and state records.
import { objectAddress, refOf, type KubeObject } from '../../../src/kube/object.js';
import { maskSecretData } from '../../../src/kube/sensitive.js';
import type { Desired, Unit, UnitKind, Unknown, WaitFor } from '../../../src/model/desired.js';
import { planMesh, type PlanInput } from '../../../src/planner/plan-mesh.js';
import type { Change, Plan } from '../../../src/planner/plan.js';
import type { MeshState, ObjectRecord, UnitRecord } from '../../../src/state/state.js';

export const meshID = 'mesh1';

// ---- objects ---------------------------------------------------------------------------

export function namespace(name = 'istio-system', labels: Record<string, string> = { 'topology.istio.io/network': 'network1' }): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function crd(name = 'gateways.networking.istio.io'): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: { group: name.split('.').slice(1).join('.'), names: { kind: 'Gateway', plural: name.split('.')[0] }, scope: 'Namespaced' },
  };
}

export function serviceAccount(name = 'istiod', ns = 'istio-system'): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } };
}

export function configMap(name = 'istio', data: Record<string, string> = { mesh: 'defaultConfig: {}' }, ns = 'istio-system'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

export function deployment(name = 'istiod', o: { cpu?: string; memory?: string; labels?: Record<string, string> } = {}, ns = 'istio-system'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: o.labels ?? { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name: 'discovery',
              image: 'docker.io/istio/pilot:1.31.0',
              ports: [{ containerPort: 15010 }],
              resources: { requests: { cpu: o.cpu ?? '500m', memory: o.memory ?? '2048Mi' } },
            },
          ],
        },
      },
    },
  };
}

export function service(name = 'istiod', ns = 'istio-system'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { selector: { app: name }, ports: [{ name: 'grpc-xds', port: 15010 }] },
  };
}

export function mutatingWebhook(name = 'istio-sidecar-injector', caBundle?: string): KubeObject {
  const clientConfig: Record<string, unknown> = { service: { name: 'istiod', namespace: 'istio-system', path: '/inject' } };
  if (caBundle !== undefined) clientConfig.caBundle = caBundle;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [{ name: 'namespace.sidecar-injector.istio.io', clientConfig, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
  };
}

export function validatingWebhook(name = 'istio-validator-istio-system', o: { caBundle?: string; failurePolicy?: string } = {}): KubeObject {
  const clientConfig: Record<string, unknown> = { service: { name: 'istiod', namespace: 'istio-system' } };
  if (o.caBundle !== undefined) clientConfig.caBundle = o.caBundle;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: [{ name: 'rev.validation.istio.io', clientConfig, failurePolicy: o.failurePolicy ?? 'Ignore', sideEffects: 'None', admissionReviewVersions: ['v1'] }],
  };
}

/** A Secret as the cluster holds it: base64 `data`. */
export function secret(name: string, data: Record<string, string>, ns = 'istio-system', extra: Partial<KubeObject> = {}): KubeObject {
  const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', data: b64, ...extra };
}

export function gateway(name = 'cross-network-gateway', ns = 'istio-system'): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns },
    spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }] },
  };
}

export function unknown(unit: string, output: Unknown['$unknown']['output'], sensitive?: boolean): Unknown {
  return { $unknown: sensitive ? { unit, output, sensitive } : { unit, output } };
}

export function addressIn(cluster: string, o: KubeObject): string {
  return objectAddress(cluster, refOf(o));
}

/** A copy with a path set (dotted path, numeric segments index arrays). */
export function withField<T extends KubeObject>(o: T, path: string, value: unknown): T {
  const copy = structuredClone(o) as Record<string, unknown>;
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys[keys.length - 1]!] = value;
  return copy as T;
}

// ---- live objects ----------------------------------------------------------------------

let uidCounter = 0;

/**
 * The object as the API server returns it after an apply: everything sent, plus what the
 * server and controllers add (uid, resourceVersion, managedFields, defaults, status).
 */
export function live(o: KubeObject, extra: Record<string, unknown> = {}): KubeObject {
  const out = structuredClone(o) as KubeObject & Record<string, unknown>;
  uidCounter++;
  out.metadata = {
    ...out.metadata,
    uid: `00000000-0000-0000-0000-${String(uidCounter).padStart(12, '0')}`,
    resourceVersion: String(1000 + uidCounter),
    creationTimestamp: '2025-01-01T00:00:00Z',
    generation: 1,
    managedFields: [{ manager: 'meshctl', operation: 'Apply', apiVersion: o.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} }],
  };
  const spec = (out.spec ?? {}) as Record<string, any>;
  const pod = spec.template?.spec;
  if (o.kind === 'Deployment' && Array.isArray(pod?.containers)) {
    spec.progressDeadlineSeconds ??= 600;
    spec.revisionHistoryLimit ??= 10;
    spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    pod.restartPolicy ??= 'Always';
    pod.dnsPolicy ??= 'ClusterFirst';
    pod.schedulerName ??= 'default-scheduler';
    for (const c of pod.containers) {
      c.imagePullPolicy ??= 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      for (const p of c.ports ?? []) p.protocol ??= 'TCP';
    }
    out.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
  }
  if (o.kind === 'Service' && Array.isArray(spec.ports)) {
    spec.clusterIP ??= '10.96.0.10';
    spec.clusterIPs ??= ['10.96.0.10'];
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    spec.ipFamilies ??= ['IPv4'];
    for (const p of spec.ports) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    out.status = { loadBalancer: {} };
  }
  if (o.kind === 'Namespace') {
    out.metadata.labels = { ...out.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
    out.spec = { finalizers: ['kubernetes'], ...spec };
    out.status = { phase: 'Active' };
  }
  if (o.kind === 'CustomResourceDefinition') {
    out.status = { conditions: [{ type: 'Established', status: 'True' }] };
  }
  return Object.assign(out, extra);
}

export function liveMap(cluster: string, objects: readonly KubeObject[]): Map<string, KubeObject> {
  // Observed objects reach the planner with Secret data masked (cli/session.ts).
  return new Map(objects.map((o) => [addressIn(cluster, o), maskSecretData(o)]));
}

// ---- units and state -------------------------------------------------------------------

export interface UnitOptions {
  cluster?: string;
  kind?: UnitKind;
  objects?: readonly KubeObject[];
  dependsOn?: readonly string[];
  waits?: readonly WaitFor[];
  id?: string;
}

export function unit(o: UnitOptions = {}): Unit {
  const cluster = o.cluster ?? 'cluster1';
  const kind = o.kind ?? 'control-plane';
  return {
    id: o.id ?? `${cluster}/${kind}`,
    cluster,
    kind,
    dependsOn: o.dependsOn ?? [],
    // As the session hands them to the planner: Secret data as digests.
    objects: (o.objects ?? []).map(maskSecretData),
    waits: o.waits ?? [],
    outputs: [],
  };
}

export function desired(units: readonly Unit[]): Desired {
  return { meshID, units, kept: [] };
}

export function objectRecord(u: Pick<Unit, 'id' | 'cluster'>, o: KubeObject, r: Partial<ObjectRecord> = {}): [string, ObjectRecord] {
  return [addressIn(u.cluster, o), { unit: u.id, cluster: u.cluster, ref: refOf(o), status: 'applied', existedBefore: false, applied: maskSecretData(o), ...r }];
}

export function unitRecord(u: Pick<Unit, 'id' | 'cluster' | 'kind' | 'dependsOn'>, outputs: Record<string, string> = {}): UnitRecord {
  return { id: u.id, cluster: u.cluster, kind: u.kind, dependsOn: u.dependsOn, status: 'applied', outputs };
}

/** State as a finished apply of `units` would leave it (every object applied as desired). */
export function stateAfterApply(units: readonly Unit[], o: { serial?: number; records?: Record<string, Partial<ObjectRecord>> } = {}): MeshState {
  const objects: Record<string, ObjectRecord> = {};
  for (const u of units) {
    for (const obj of u.objects) {
      const [addr, rec] = objectRecord(u, obj, o.records?.[addressIn(u.cluster, obj)]);
      objects[addr] = rec;
    }
  }
  return {
    version: 1,
    meshctlVersion: '0.1.0',
    lineage: '6f1c1f0e-0000-4000-8000-000000000001',
    serial: o.serial ?? 7,
    meshID,
    units: units.map((u) => unitRecord(u)),
    objects,
  };
}

export function planOf(o: {
  mode?: PlanInput['mode'];
  units?: readonly Unit[];
  live?: ReadonlyMap<string, KubeObject>;
  prior?: MeshState | null;
  unreachable?: ReadonlyMap<string, string>;
  forgetUnreachable?: boolean;
}): Plan {
  return planMesh({
    mode: o.mode ?? 'apply',
    desired: desired(o.units ?? []),
    observed: { objects: o.live ?? new Map(), ...(o.unreachable ? { unreachable: o.unreachable } : {}) },
    ...(o.forgetUnreachable ? { forgetUnreachable: true } : {}),
    prior: o.prior ?? null,
    source: { file: '/work/mesh/mesh.yaml', digest: 'sha256:test' },
    createdAt: '2025-01-01T00:00:00.000Z',
    meshctlVersion: '0.1.0',
  });
}

export function changeAt(plan: Plan, address: string): Change {
  const c = plan.changes.find((x) => x.address === address);
  if (!c) throw new Error(`no change for ${address}; plan has ${plan.changes.map((x) => x.address).join(', ')}`);
  return c;
}

export function actions(plan: Plan): string[] {
  return plan.changes.map((c) => `${c.action} ${c.address}${c.reason !== 'missing' && c.reason !== 'unchanged' ? ` (${c.reason})` : ''}`);
}
