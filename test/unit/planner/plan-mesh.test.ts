// Planner scenarios: one fixture, one call to planMesh, assertions on the plain Plan.
import { unitChanges } from '../../../src/planner/plan.js';
import { describe, expect, it } from 'vitest';
import { sensitive } from '../../../src/kube/sensitive.js';
import { CycleError } from '../../../src/planner/graph.js';
import { planMesh } from '../../../src/planner/plan-mesh.js';
import {
  actions,
  addressIn,
  changeAt,
  configMap,
  crd,
  deployment,
  gateway,
  live,
  liveMap,
  mutatingWebhook,
  namespace,
  planOf,
  secret,
  service,
  serviceAccount,
  stateAfterApply,
  unit,
  unknown,
  validatingWebhook,
  withField,
} from '../support/mesh-fixtures.js';

const ns = unit({ kind: 'namespace', objects: [namespace()] });
const cacerts = unit({ kind: 'cacerts', dependsOn: ['cluster1/namespace'], objects: [secret('cacerts', { 'ca-cert.pem': 'CA', 'ca-key.pem': 'KEY' })] });
const controlPlane = unit({
  kind: 'control-plane',
  dependsOn: ['cluster1/cacerts'],
  // Deliberately shuffled: the planner orders by kind rank, not by input order.
  objects: [mutatingWebhook(), service(), deployment(), configMap(), validatingWebhook(), crd(), serviceAccount()],
});
const guideUnits = [controlPlane, cacerts, ns];

describe('planMesh: a first apply on empty clusters', () => {
  const plan = planOf({ units: guideUnits });

  it('creates every object and counts them', () => {
    expect(plan.summary).toEqual({ add: 9, change: 0, destroy: 0, forget: 0 });
    expect(plan.changes.every((c) => c.action === 'create' && c.reason === 'missing' && !c.existedBefore)).toBe(true);
  });

  it('orders units by dependency and objects by kind rank (CRDs first, the mutating webhook last)', () => {
    expect(plan.units.map((u) => u.id)).toEqual(['cluster1/namespace', 'cluster1/cacerts', 'cluster1/control-plane']);
    expect(plan.waves).toEqual([['cluster1/namespace'], ['cluster1/cacerts'], ['cluster1/control-plane']]);
    expect(plan.changes.map((c) => c.ref.kind)).toEqual([
      'Namespace',
      'Secret',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ConfigMap',
      'ValidatingWebhookConfiguration',
      'Deployment',
      'Service',
      'MutatingWebhookConfiguration',
    ]);
    // A unit's change list is the order apply will use.
    expect(unitChanges(plan.units[2]!)).toEqual(plan.changes.slice(2).map((c) => c.address));
  });

  it('puts a custom resource (Gateway) between config and workloads', () => {
    const p = planOf({ units: [unit({ objects: [service(), gateway(), configMap()] })] });
    expect(p.changes.map((c) => c.ref.kind)).toEqual(['ConfigMap', 'Gateway', 'Service']);
  });

  it('records the mesh, source and no prior state', () => {
    expect(plan.mode).toBe('apply');
    expect(plan.state).toBeNull();
    expect(plan.mesh).toEqual({ meshID: 'mesh1', sourceDigest: 'sha256:test', sourceFile: '/work/mesh/mesh.yaml' });
  });
});

describe('planMesh: plan right after apply is empty', () => {
  it('is all noop when live objects equal `after` plus server-added fields', () => {
    const state = stateAfterApply(guideUnits);
    const raw = [namespace(), secret('cacerts', { 'ca-cert.pem': 'CA', 'ca-key.pem': 'KEY' }), ...controlPlane.objects];
    const liveObjects = liveMap(
      'cluster1',
      raw.map((o) => live(o)),
    );
    const plan = planOf({ units: guideUnits, live: liveObjects, prior: state });
    expect(actions(plan).filter((a) => !a.startsWith('noop'))).toEqual([]);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0 });
    // The plan remembers which resourceVersion it saw, for stale-plan checks.
    expect(changeAt(plan, addressIn('cluster1', deployment())).observedResourceVersion).toMatch(/^\d+$/);
  });

  it('ignores a webhook caBundle istiod patched in (and the validator failurePolicy it flips)', () => {
    const u = unit({ objects: [mutatingWebhook(), validatingWebhook(undefined, { failurePolicy: 'Ignore' })] });
    const liveObjects = liveMap('cluster1', [
      live(mutatingWebhook(undefined, 'LS0tLS1CRUdJTi1DQQ==')),
      live(validatingWebhook(undefined, { caBundle: 'LS0tLS1CRUdJTi1DQQ==', failurePolicy: 'Fail' })),
    ]);
    const plan = planOf({ units: [u], live: liveObjects, prior: stateAfterApply([u]) });
    expect(actions(plan)).toEqual([
      'noop cluster1/ValidatingWebhookConfiguration.admissionregistration.k8s.io/_/istio-validator-istio-system',
      'noop cluster1/MutatingWebhookConfiguration.admissionregistration.k8s.io/_/istio-sidecar-injector',
    ]);
  });

  it('is noop for manifests that carry creationTimestamp: null (as Go-serialised objects do)', () => {
    // The server fills creationTimestamp whatever the apply request says; a null sent by
    // server-side apply states no opinion, so it cannot be drift.
    const rendered = withField(withField(deployment(), 'metadata.creationTimestamp', null), 'spec.template.metadata.creationTimestamp', null);
    const u = unit({ objects: [rendered] });
    const l = liveMap('cluster1', [live(withField(deployment(), 'spec.template.metadata.creationTimestamp', '2025-01-01T00:00:00Z'))]);
    expect(actions(planOf({ units: [u], live: l, prior: stateAfterApply([u]) }))).toEqual(['noop cluster1/Deployment.apps/istio-system/istiod']);
  });

  it('never sends a caBundle that the rendered manifest carries', () => {
    const plan = planOf({ units: [unit({ objects: [mutatingWebhook(undefined, 'c3RhbGU=')] })] });
    expect(JSON.stringify(plan.changes[0]!.after)).not.toContain('caBundle');
  });

  it.each([
    ['2000m', '2', '4Gi', '4Gi'],
    ['500m', '0.5', '1024Mi', '1Gi'],
    ['1', '1000m', '1Gi', '1073741824'],
    ['100m', '0.1', '1G', '1000M'],
  ])('treats quantities cpu %s ~ %s and memory %s ~ %s as equal', (cpuWanted, cpuLive, memWanted, memLive) => {
    const u = unit({ objects: [deployment('istiod', { cpu: cpuWanted, memory: memWanted })] });
    const l = liveMap('cluster1', [live(deployment('istiod', { cpu: cpuLive, memory: memLive }))]);
    expect(actions(planOf({ units: [u], live: l, prior: stateAfterApply([u]) }))).toEqual(['noop cluster1/Deployment.apps/istio-system/istiod']);
  });

  it('treats a numeric quantity in the manifest (cpu: 1, as Helm renders it) like the string the server returns', () => {
    const u = unit({ objects: [withField(deployment(), 'spec.template.spec.containers.0.resources.requests.cpu', 1)] });
    const l = liveMap('cluster1', [live(deployment('istiod', { cpu: '1' }))]);
    expect(actions(planOf({ units: [u], live: l, prior: stateAfterApply([u]) }))).toEqual(['noop cluster1/Deployment.apps/istio-system/istiod']);
  });

  it('still sees a real quantity change', () => {
    const u = unit({ objects: [deployment('istiod', { cpu: '2' })] });
    const l = liveMap('cluster1', [live(deployment('istiod', { cpu: '1' }))]);
    const c = planOf({ units: [u], live: l, prior: stateAfterApply([u]) }).changes[0]!;
    expect(c.action).toBe('update');
    expect(c.patch).toEqual([{ op: 'replace', path: '/spec/template/spec/containers/0/resources/requests/cpu', value: '2' }]);
  });

  it('does not treat quantity-like strings outside resources as equal', () => {
    const u = unit({ objects: [configMap('istio', { size: '1Gi' })] });
    const l = liveMap('cluster1', [live(configMap('istio', { size: '1024Mi' }))]);
    expect(planOf({ units: [u], live: l, prior: stateAfterApply([u]) }).changes[0]!.action).toBe('update');
  });
});

describe('planMesh: drift and configuration changes', () => {
  const wanted = namespace('istio-system', { 'topology.istio.io/network': 'network1' });
  const handEdited = live(namespace('istio-system', { 'topology.istio.io/network': 'network9' }));
  const u = unit({ kind: 'namespace', objects: [wanted] });
  const addr = addressIn('cluster1', wanted);

  it('calls a label changed by hand drift when state recorded the same applied object', () => {
    const c = changeAt(planOf({ units: [u], live: liveMap('cluster1', [handEdited]), prior: stateAfterApply([u]) }), addr);
    expect(c.action).toBe('update');
    expect(c.reason).toBe('drift');
    expect(c.patch).toEqual([{ op: 'replace', path: '/metadata/labels/topology.istio.io~1network', value: 'network1' }]);
    expect(c.diff).toBe(['@@ -3,4 +3,4 @@', ' metadata:', '   name: istio-system', '   labels:', '-    topology.istio.io/network: network9', '+    topology.istio.io/network: network1'].join('\n'));
    // `before` is the live object seen through the fields meshctl manages: no server fields.
    expect(c.before).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network9' } } });
    expect(c.existedBefore).toBe(false);
  });

  it('calls it config-changed when state recorded something else (mesh.yaml changed)', () => {
    const prior = stateAfterApply([unit({ kind: 'namespace', objects: [handEdited] })]);
    const c = changeAt(planOf({ units: [u], live: liveMap('cluster1', [handEdited]), prior }), addr);
    expect(c.action).toBe('update');
    expect(c.reason).toBe('config-changed');
  });

  it('calls it config-changed when there is no state at all, and treats the object as found in place', () => {
    const c = changeAt(planOf({ units: [u], live: liveMap('cluster1', [handEdited]) }), addr);
    expect(c.reason).toBe('config-changed');
    expect(c.existedBefore).toBe(true);
  });

  it('recreates an object deleted by hand, with reason drift', () => {
    const c = changeAt(planOf({ units: [u], live: new Map(), prior: stateAfterApply([u]) }), addr);
    expect(c).toMatchObject({ action: 'create', reason: 'drift', existedBefore: false });
  });

  it('keeps existedBefore from state when re-creating something that was there before meshctl', () => {
    const c = changeAt(planOf({ units: [u], live: new Map(), prior: stateAfterApply([u], { records: { [addr]: { existedBefore: true } } }) }), addr);
    expect(c.existedBefore).toBe(true);
  });

  it('plans a missing object whose record is only pending (interrupted apply) as missing, not drift', () => {
    const c = changeAt(planOf({ units: [u], live: new Map(), prior: stateAfterApply([u], { records: { [addr]: { status: 'pending', applied: undefined } } }) }), addr);
    expect(c).toMatchObject({ action: 'create', reason: 'missing' });
  });
});

describe('planMesh: values known only after apply', () => {
  const ewAddress = unknown('cluster1/eastwest-gateway', 'address');
  const withUnknown = withField(configMap('istio', { mesh: 'x' }), 'data.remotePilotAddress', ewAddress);

  it('lists the unknown paths of a create', () => {
    const c = planOf({ units: [unit({ objects: [withUnknown] })] }).changes[0]!;
    expect(c.action).toBe('create');
    expect(c.afterUnknown).toEqual(['/data/remotePilotAddress']);
  });

  it('plans an update with reason known-after-apply on an existing object that otherwise matches', () => {
    const u = unit({ objects: [withUnknown] });
    const l = liveMap('cluster1', [live(withField(configMap('istio', { mesh: 'x' }), 'data.remotePilotAddress', '172.18.0.10'))]);
    const c = planOf({ units: [u], live: l }).changes[0]!;
    expect(c).toMatchObject({ action: 'update', reason: 'known-after-apply', afterUnknown: ['/data/remotePilotAddress'] });
    expect(c.diff).toContain('+  remotePilotAddress: (known after apply)');
  });

  it('plans config-changed when a known field differs as well', () => {
    const u = unit({ objects: [withUnknown] });
    const l = liveMap('cluster1', [live(withField(configMap('istio', { mesh: 'y' }), 'data.remotePilotAddress', '172.18.0.10'))]);
    expect(planOf({ units: [u], live: l }).changes[0]!.reason).toBe('config-changed');
  });
});

describe('planMesh: Secret data', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.super-secret-token';
  const wanted = secret('istio-reader-token', { token });
  const u = unit({ kind: 'remote-reader', objects: [wanted] });

  it('is noop when the digests are equal', () => {
    const plan = planOf({ units: [u], live: liveMap('cluster1', [live(wanted)]), prior: stateAfterApply([u]) });
    expect(plan.changes[0]!.action).toBe('noop');
  });

  it('is an update when they differ, without ever showing either value', () => {
    const changed = live(secret('istio-reader-token', { token: 'another-secret-value' }));
    const plan = planOf({ units: [u], live: liveMap('cluster1', [changed]), prior: stateAfterApply([u]) });
    const c = plan.changes[0]!;
    expect(c).toMatchObject({ action: 'update', reason: 'drift' });
    expect(c.patch).toEqual([{ op: 'replace', path: '/data/token/$sensitive', value: sensitive(token).$sensitive }]);
    const text = JSON.stringify(plan);
    for (const raw of [token, 'another-secret-value', Buffer.from(token).toString('base64'), Buffer.from('another-secret-value').toString('base64')]) {
      expect(text).not.toContain(raw);
    }
  });
});

describe('planMesh: objects and units leaving the topology', () => {
  const cm = configMap('istio-extra');
  const withExtra = unit({ objects: [configMap(), cm] });
  const without = unit({ objects: [configMap()] });

  it('deletes an object meshctl created that the unit no longer renders', () => {
    const plan = planOf({ units: [without], live: liveMap('cluster1', [live(configMap()), live(cm)]), prior: stateAfterApply([withExtra]) });
    expect(actions(plan)).toEqual(['noop cluster1/ConfigMap/istio-system/istio', 'delete cluster1/ConfigMap/istio-system/istio-extra (removed)']);
    expect(unitChanges(plan.units[0]!)).toEqual(plan.changes.map((c) => c.address));
  });

  it('forgets an object that existed before meshctl, giving back its fields (apply of the bare identity)', () => {
    const addr = addressIn('cluster1', cm);
    const prior = stateAfterApply([withExtra], { records: { [addr]: { existedBefore: true } } });
    const c = changeAt(planOf({ units: [without], live: liveMap('cluster1', [live(configMap()), live(cm)]), prior }), addr);
    expect(c).toMatchObject({ action: 'forget', reason: 'removed', existedBefore: true });
    expect(c.after).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-extra', namespace: 'istio-system' } });
    expect(c.patch).toEqual([{ op: 'remove', path: '/data' }]);
  });

  it('has nothing to do for a removed object that is already gone', () => {
    const plan = planOf({ units: [without], live: liveMap('cluster1', [live(configMap())]), prior: stateAfterApply([withExtra]) });
    expect(changeAt(plan, addressIn('cluster1', cm)).action).toBe('noop');
  });

  it('takes whole removed units down after every kept unit, newest first', () => {
    const a = unit({ cluster: 'c1', kind: 'namespace', objects: [namespace()] });
    const b = unit({ cluster: 'c2', kind: 'namespace', objects: [namespace()] });
    const bGateway = unit({ cluster: 'c2', kind: 'expose-services', dependsOn: ['c2/namespace'], objects: [gateway()] });
    const prior = stateAfterApply([a, b, bGateway]);
    const l = new Map([...liveMap('c1', [live(namespace())]), ...liveMap('c2', [live(namespace()), live(gateway())])]);
    const plan = planOf({ units: [a], live: l, prior });
    expect(plan.units.map((u) => [u.id, u.removal, u.dependsOn])).toEqual([
      ['c1/namespace', false, []],
      ['c2/expose-services', true, ['c1/namespace']],
      ['c2/namespace', true, ['c2/expose-services']],
    ]);
    expect(plan.waves).toEqual([['c1/namespace'], ['c2/expose-services'], ['c2/namespace']]);
    expect(actions(plan)).toEqual([
      'noop c1/Namespace/_/istio-system',
      'delete c2/Gateway.networking.istio.io/istio-system/cross-network-gateway (removed)',
      'delete c2/Namespace/_/istio-system (removed)',
    ]);
  });

  it('keeps an object that moved to a later unit instead of deleting it', () => {
    // The ServiceAccount used to be rendered by the namespace unit; now the control plane
    // (which runs later) renders it. Deleting it from the first unit and "keeping" it in the
    // second would leave the cluster without it after apply.
    const sa = serviceAccount('istio-reader-service-account');
    const before = [unit({ kind: 'namespace', objects: [namespace(), sa] }), unit({ kind: 'control-plane', dependsOn: ['cluster1/namespace'], objects: [configMap()] })];
    const after = [unit({ kind: 'namespace', objects: [namespace()] }), unit({ kind: 'control-plane', dependsOn: ['cluster1/namespace'], objects: [configMap(), sa] })];
    const l = liveMap('cluster1', [live(namespace()), live(sa), live(configMap())]);
    const plan = planOf({ units: after, live: l, prior: stateAfterApply(before) });
    const addr = addressIn('cluster1', sa);
    expect(plan.changes.filter((c) => c.address === addr).map((c) => `${c.unit} ${c.action}`)).toEqual(['cluster1/control-plane noop']);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0 });
  });
});

describe('planMesh: destroy', () => {
  const a = unit({ kind: 'namespace', objects: [namespace()] });
  const b = unit({ kind: 'cacerts', dependsOn: ['cluster1/namespace'], objects: [secret('cacerts', { k: 'v' })] });
  const c = unit({ kind: 'control-plane', dependsOn: ['cluster1/cacerts'], objects: [configMap(), deployment()] });
  const all = [a, b, c];
  const everythingLive = liveMap('cluster1', [live(namespace()), live(secret('cacerts', { k: 'v' })), live(configMap()), live(deployment())]);

  it('removes every object in state, units in reverse order, objects in reverse kind rank', () => {
    const prior = stateAfterApply(all);
    const plan = planOf({ mode: 'destroy', units: all, live: everythingLive, prior });
    expect(plan.units.map((u) => [u.id, u.dependsOn])).toEqual([
      ['cluster1/control-plane', []],
      ['cluster1/cacerts', ['cluster1/control-plane']],
      ['cluster1/namespace', ['cluster1/cacerts']],
    ]);
    expect(actions(plan)).toEqual([
      'delete cluster1/Deployment.apps/istio-system/istiod (removed)',
      'delete cluster1/ConfigMap/istio-system/istio (removed)',
      'delete cluster1/Secret/istio-system/cacerts (removed)',
      'delete cluster1/Namespace/_/istio-system (removed)',
    ]);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 4, forget: 0 });
  });

  it("only releases meshctl's fields on objects that existed before meshctl", () => {
    const nsAddr = addressIn('cluster1', namespace());
    const prior = stateAfterApply(all, { records: { [nsAddr]: { existedBefore: true } } });
    const plan = planOf({ mode: 'destroy', units: all, live: everythingLive, prior });
    const nsChange = changeAt(plan, nsAddr);
    expect(nsChange).toMatchObject({ action: 'forget', reason: 'removed', after: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } } });
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 3, forget: 1 });
  });

  it('destroys objects of a unit the state never recorded (interrupted first apply) last', () => {
    const prior = stateAfterApply(all);
    const withoutUnitRecord = { ...prior, units: prior.units.filter((u) => u.id !== 'cluster1/cacerts') };
    const plan = planOf({ mode: 'destroy', units: all, live: everythingLive, prior: withoutUnitRecord });
    expect(plan.units.map((u) => u.id)).toEqual(['cluster1/control-plane', 'cluster1/namespace', 'cluster1/cacerts']);
    expect(plan.units[2]!.kind).toBe('cacerts');
  });

  it('shows only the identity as `before` when state never recorded what meshctl applied', () => {
    const addr = addressIn('cluster1', configMap());
    const prior = stateAfterApply(all, { records: { [addr]: { status: 'pending', applied: undefined } } });
    const c = changeAt(planOf({ mode: 'destroy', units: all, live: everythingLive, prior }), addr);
    expect(c).toMatchObject({ action: 'delete', before: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' } } });
    expect(Object.keys(c.before as object)).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('removes a unit after the units that depend on it, even when the state recorded it last', () => {
    // A state from before crds was split off control-plane: the upgrade apply records the new
    // crds unit last, and control-plane (re-recorded) now depends on it.
    const crds = unit({ kind: 'crds', objects: [crd()] });
    const cp = unit({ kind: 'control-plane', dependsOn: ['cluster1/cacerts', 'cluster1/crds'], objects: [configMap(), deployment()] });
    const prior = stateAfterApply([a, b, cp, crds]);
    expect(prior.units.map((u) => u.id)).toEqual(['cluster1/namespace', 'cluster1/cacerts', 'cluster1/control-plane', 'cluster1/crds']);
    const plan = planOf({ mode: 'destroy', units: [a, b, cp, crds], live: liveMap('cluster1', [...everythingLive.values(), live(crd())]), prior });
    expect(plan.units.map((u) => u.id)).toEqual(['cluster1/control-plane', 'cluster1/crds', 'cluster1/cacerts', 'cluster1/namespace']);
    expect(actions(plan).at(-3)).toMatch(/^delete cluster1\/CustomResourceDefinition/);
  });

  it('is empty without a state', () => {
    const plan = planOf({ mode: 'destroy', units: all, live: everythingLive });
    expect(plan.changes).toEqual([]);
    expect(plan.units).toEqual([]);
  });
});

describe('planMesh: refresh-only', () => {
  it('reports drift against what state says was applied, ignoring mesh.yaml edits', () => {
    const applied = unit({ objects: [configMap('istio', { mesh: 'applied' }), configMap('other', { a: '1' })] });
    const edited = unit({ objects: [configMap('istio', { mesh: 'edited in mesh.yaml' }), configMap('other', { a: '1' })] });
    const l = liveMap('cluster1', [live(configMap('istio', { mesh: 'applied' })), live(configMap('other', { a: 'changed by hand' }))]);
    const plan = planOf({ mode: 'refresh-only', units: [edited], live: l, prior: stateAfterApply([applied]) });
    expect(actions(plan)).toEqual(['noop cluster1/ConfigMap/istio-system/istio', 'update cluster1/ConfigMap/istio-system/other (drift)']);
    expect(changeAt(plan, addressIn('cluster1', configMap('other'))).patch).toEqual([{ op: 'replace', path: '/data/a', value: '1' }]);
  });

  it('reports an object deleted by hand as create with reason drift', () => {
    const u = unit({ objects: [configMap()] });
    const plan = planOf({ mode: 'refresh-only', units: [u], live: new Map(), prior: stateAfterApply([u]) });
    expect(actions(plan)).toEqual(['create cluster1/ConfigMap/istio-system/istio (drift)']);
  });
});

describe('planMesh: cycles', () => {
  it('throws a CycleError naming the whole path', () => {
    const units = [
      unit({ cluster: 'c1', kind: 'namespace', dependsOn: ['c1/remote-secret'] }),
      unit({ cluster: 'c1', kind: 'control-plane', dependsOn: ['c1/namespace'] }),
      unit({ cluster: 'c1', kind: 'remote-secret', dependsOn: ['c1/control-plane'] }),
    ];
    let thrown: unknown;
    try {
      planOf({ units });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CycleError);
    expect((thrown as CycleError).path).toEqual(['c1/namespace', 'c1/remote-secret', 'c1/control-plane', 'c1/namespace']);
    expect((thrown as Error).message).toBe('dependency cycle: c1/namespace -> c1/remote-secret -> c1/control-plane -> c1/namespace');
  });
});

describe('planMesh: fields istiod takes over', () => {
  const validating = (failurePolicy: string) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'istio-validator-istio-system' },
    webhooks: [{ name: 'rev.validation.istio.io', failurePolicy, clientConfig: { service: { name: 'istiod', namespace: 'istio-system' }, caBundle: '' } }],
  });

  it('creates the validating webhook with the chart failurePolicy but without a caBundle', () => {
    const plan = planMesh({
      mode: 'apply',
      desired: { meshID: 'm', units: [{ id: 'c1/control-plane', cluster: 'c1', kind: 'control-plane', dependsOn: [], objects: [validating('Ignore')], waits: [], outputs: [] }], kept: [] },
      observed: { objects: new Map() },
      prior: null,
      source: { file: 'mesh.yaml', digest: 'd' },
      createdAt: 't',
      meshctlVersion: '0',
    });
    const after = plan.changes[0]!.after as ReturnType<typeof validating>;
    expect(plan.changes[0]!.action).toBe('create');
    expect(after.webhooks[0]!.failurePolicy).toBe('Ignore');
    expect(after.webhooks[0]!.clientConfig).toEqual({ service: { name: 'istiod', namespace: 'istio-system' } });
  });

  it('does not count istiod flipping failurePolicy to Fail as drift', () => {
    const live = { ...validating('Fail'), metadata: { name: 'istio-validator-istio-system', resourceVersion: '7' } };
    live.webhooks[0]!.clientConfig.caBundle = 'cGF0Y2hlZA==';
    const plan = planMesh({
      mode: 'apply',
      desired: { meshID: 'm', units: [{ id: 'c1/control-plane', cluster: 'c1', kind: 'control-plane', dependsOn: [], objects: [validating('Ignore')], waits: [], outputs: [] }], kept: [] },
      observed: { objects: new Map([['c1/ValidatingWebhookConfiguration.admissionregistration.k8s.io/_/istio-validator-istio-system', live]]) },
      prior: null,
      source: { file: 'mesh.yaml', digest: 'd' },
      createdAt: 't',
      meshctlVersion: '0',
    });
    expect(plan.changes[0]!.action).toBe('noop');
  });

  it.each(['Ignore', 'Fail'])('updates the webhook with the failurePolicy it has now (%s), so server-side apply neither resets nor flips it', (now) => {
    const live = { ...validating(now), metadata: { name: 'istio-validator-istio-system', resourceVersion: '7' } };
    const moved = validating('Ignore');
    moved.webhooks[0]!.clientConfig.service.name = 'istiod-1-31-0';
    const plan = planMesh({
      mode: 'apply',
      desired: { meshID: 'm', units: [{ id: 'c1/control-plane', cluster: 'c1', kind: 'control-plane', dependsOn: [], objects: [moved], waits: [], outputs: [] }], kept: [] },
      observed: { objects: new Map([['c1/ValidatingWebhookConfiguration.admissionregistration.k8s.io/_/istio-validator-istio-system', live]]) },
      prior: null,
      source: { file: 'mesh.yaml', digest: 'd' },
      createdAt: 't',
      meshctlVersion: '0',
    });
    const c = plan.changes[0]!;
    expect(c.action).toBe('update');
    expect((c.after as ReturnType<typeof validating>).webhooks[0]!.failurePolicy).toBe(now);
    expect(c.patch).toEqual([{ op: 'replace', path: '/webhooks/0/clientConfig/service/name', value: 'istiod-1-31-0' }]);
  });
});
