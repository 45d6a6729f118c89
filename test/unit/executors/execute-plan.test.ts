// The executor walk against in-memory clusters: order, parallelism, failure propagation,
// journaling, resume after an interruption, and CRDs waited on before what uses them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiagnosticsError, error } from '../../../src/diagnostics.js';
import type { KubeObject } from '../../../src/kube/object.js';
import { addressIn, configMap, crd, deployment, gateway, namespace, secret, serviceAccount, unit, validatingWebhook } from '../support/mesh-fixtures.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { applyOnce, deferred, meshOf, observe, tempStateFile } from './harness.js';
import { planOf } from '../support/mesh-fixtures.js';

/** Two clusters: c1 namespace → control-plane → remote-secret (needs c2's namespace too). */
function twoClusterMesh() {
  return meshOf([
    { unit: unit({ cluster: 'c1', kind: 'namespace' }), objects: [namespace()] },
    { unit: unit({ cluster: 'c2', kind: 'namespace' }), objects: [namespace('istio-system', { 'topology.istio.io/network': 'network2' })] },
    {
      unit: unit({ cluster: 'c1', kind: 'control-plane', dependsOn: ['c1/namespace'], waits: [{ kind: 'deployment-available', namespace: 'istio-system', name: 'istiod' }] }),
      objects: [serviceAccount(), configMap(), deployment()],
    },
    {
      unit: unit({ cluster: 'c1', kind: 'remote-secret', id: 'c1/remote-secret/c2', dependsOn: ['c1/control-plane', 'c2/namespace'] }),
      objects: [secret('istio-remote-secret-c2', { c2: 'apiVersion: v1\nkind: Config\nusers:\n- user: {token: s3cr3t-reader-token}' })],
    },
  ]);
}

const applied = (log: string[]) => log.filter((l) => l.startsWith('apply ')).map((l) => l.slice('apply '.length));

describe('executePlan', () => {
  it('runs units in dependency order and objects in plan order', async () => {
    const log: string[] = [];
    const fakes = [new FakeCluster('c1', { log }), new FakeCluster('c2', { log })];
    const run = await applyOnce({ mesh: twoClusterMesh(), fakes, stateFile: tempStateFile() });
    expect(run.result).toEqual({ failed: [], skipped: [], interrupted: [], done: expect.arrayContaining(['c1/namespace', 'c2/namespace', 'c1/control-plane', 'c1/remote-secret/c2']) });
    const order = applied(log);
    const at = (a: string) => order.indexOf(a);
    expect(order).toHaveLength(6);
    expect(at('c1/Namespace/_/istio-system')).toBeLessThan(at('c1/ServiceAccount/istio-system/istiod'));
    expect(order.slice(at('c1/ServiceAccount/istio-system/istiod'), at('c1/ServiceAccount/istio-system/istiod') + 3)).toEqual([
      'c1/ServiceAccount/istio-system/istiod',
      'c1/ConfigMap/istio-system/istio',
      'c1/Deployment.apps/istio-system/istiod',
    ]);
    expect(at('c1/Secret/istio-system/istio-remote-secret-c2')).toBe(5);
    // The control plane's wait (istiod available) was checked before its dependants started.
    expect(log.indexOf('read c1/Deployment.apps/istio-system/istiod')).toBeLessThan(log.indexOf('apply c1/Secret/istio-system/istio-remote-secret-c2'));
    const starts = run.events.filter((e) => e.type === 'unit-start').map((e) => e.unit);
    const dones = run.events.filter((e) => e.type === 'unit-done').map((e) => e.unit);
    expect(run.events.findIndex((e) => e.type === 'unit-start' && e.unit === 'c1/control-plane')).toBeGreaterThan(run.events.findIndex((e) => e.type === 'unit-done' && e.unit === 'c1/namespace'));
    expect(starts.sort()).toEqual(dones.sort());
  });

  it('runs independent units at the same time', async () => {
    // Each namespace apply waits until the other cluster's apply has started: if the two
    // units ran one after the other, neither could finish (the test would time out).
    const started = new Set<string>();
    const both = deferred();
    const beforeApply = async (o: KubeObject, cluster: string) => {
      if (o.kind !== 'Namespace') return;
      started.add(cluster);
      if (started.size === 2) both.resolve();
      await both.promise;
    };
    const fakes = [new FakeCluster('c1', { beforeApply }), new FakeCluster('c2', { beforeApply })];
    const run = await applyOnce({ mesh: twoClusterMesh(), fakes, stateFile: tempStateFile() });
    expect(run.result.failed).toEqual([]);
    expect([...started].sort()).toEqual(['c1', 'c2']);
  });

  it('runs one unit at a time with parallelism 1', async () => {
    let inFlight = 0;
    let most = 0;
    const beforeApply = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await Promise.resolve();
      inFlight--;
    };
    const fakes = [new FakeCluster('c1', { beforeApply }), new FakeCluster('c2', { beforeApply })];
    const run = await applyOnce({ mesh: twoClusterMesh(), fakes, stateFile: tempStateFile(), parallelism: 1 });
    expect(run.result.done).toHaveLength(4);
    expect(most).toBe(1);
  });

  it('skips the dependants of a failed unit, runs the rest, and reports only the root cause', async () => {
    const beforeApply = (o: KubeObject) => {
      if (o.kind === 'Deployment') throw new DiagnosticsError([error('Kubernetes API error', 'applying Deployment istio-system/istiod failed (HTTP 422): invalid')]);
    };
    const mesh = meshOf([
      ...twoClusterMesh().units.map((u) => ({ unit: u, objects: twoClusterMesh().resolved.get(u.id)! })),
      { unit: unit({ cluster: 'c1', kind: 'expose-services', dependsOn: ['c1/remote-secret/c2'] }), objects: [gateway()] },
    ]);
    const fakes = [new FakeCluster('c1', { beforeApply }), new FakeCluster('c2')];
    const run = await applyOnce({ mesh, fakes, stateFile: tempStateFile() });
    expect(run.result.failed).toEqual([{ unit: 'c1/control-plane', diagnostics: [error('Kubernetes API error', 'applying Deployment istio-system/istiod failed (HTTP 422): invalid')] }]);
    expect(run.result.skipped).toEqual(['c1/remote-secret/c2', 'c1/expose-services']);
    expect([...run.result.done].sort()).toEqual(['c1/namespace', 'c2/namespace']);
    expect(run.events.filter((e) => e.type === 'unit-failed')).toEqual([{ type: 'unit-failed', unit: 'c1/control-plane', message: 'Kubernetes API error' }]);
    expect(run.events.find((e) => e.type === 'unit-skipped' && e.unit === 'c1/remote-secret/c2')).toEqual({ type: 'unit-skipped', unit: 'c1/remote-secret/c2', because: 'c1/control-plane' });
    expect(fakes[0]!.get(gateway())).toBeUndefined();
  });

  it('journals every object as pending before its request and applied after, and each unit with its outputs', async () => {
    const stateFile = tempStateFile();
    const seenPending: Record<string, string | undefined> = {};
    let journalRef: { state: { objects: Record<string, { status: string }> } } | undefined;
    const beforeApply = (o: KubeObject, cluster: string) => {
      const a = addressIn(cluster, o);
      seenPending[a] = journalRef?.state.objects[a]?.status;
    };
    const fakes = [new FakeCluster('c1', { beforeApply }), new FakeCluster('c2', { beforeApply })];
    const run = await applyOnce({
      mesh: twoClusterMesh(),
      fakes,
      stateFile,
      journal: (j) => (journalRef = j as never),
      outputs: (id): Record<string, string> => (id === 'c1/control-plane' ? { address: '172.18.255.1' } : {}),
    });
    expect(Object.keys(seenPending)).toHaveLength(6);
    expect(Object.values(seenPending).every((s) => s === 'pending')).toBe(true);
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(Object.keys(state.objects).sort()).toEqual(Object.keys(seenPending).sort());
    for (const [addr, rec] of Object.entries(state.objects) as [string, any][]) {
      expect(rec, addr).toMatchObject({ status: 'applied', existedBefore: false });
      expect(rec.uid).toBe(fakes[addr.startsWith('c1/') ? 0 : 1]!.objects.get(addr)!.metadata.uid);
    }
    expect(state.units.find((u: { id: string }) => u.id === 'c1/control-plane')).toEqual({
      id: 'c1/control-plane',
      cluster: 'c1',
      kind: 'control-plane',
      dependsOn: ['c1/namespace'],
      status: 'applied',
      outputs: { address: '172.18.255.1' },
    });
    expect(state.units.map((u: { status: string }) => u.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(run.journal.state).toEqual(state);
  });

  it('resumes an interrupted apply without applying anything twice, and the next plan is empty', async () => {
    const stateFile = tempStateFile();
    const mesh = twoClusterMesh();
    const c1 = new FakeCluster('c1');
    const c2 = new FakeCluster('c2');
    c1.failFromApply = 3; // namespace, ServiceAccount, then the ConfigMap request fails
    const first = await applyOnce({ mesh, fakes: [c1, c2], stateFile });
    expect(first.result.failed.map((f) => f.unit)).toEqual(['c1/control-plane']);
    expect(first.result.failed[0]!.diagnostics[0]!.summary).toBe('Cluster unreachable');
    const uidsAfterFirst = new Map([...c1.objects].map(([a, o]) => [a, o.metadata.uid]));
    expect(first.journal.state.objects['c1/ConfigMap/istio-system/istio']).toMatchObject({ status: 'pending' });

    c1.failFromApply = Infinity;
    const appliesBefore = c1.applies;
    const second = await applyOnce({ mesh, fakes: [c1, c2], stateFile, prior: first.journal.state });
    expect(second.result.failed).toEqual([]);
    expect(second.plan.summary).toEqual({ add: 3, change: 0, destroy: 0, forget: 0 });
    // ConfigMap, Deployment, remote secret: nothing applied by the first run is sent again.
    expect(c1.applies - appliesBefore).toBe(3);
    for (const [a, uid] of uidsAfterFirst) expect(c1.objects.get(a)!.metadata.uid).toBe(uid);

    const third = planOf({ units: mesh.units, live: observe([c1, c2]), prior: second.journal.state });
    expect(third.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0 });
    expect(Object.values(second.journal.state.objects).every((r) => r.status === 'applied')).toBe(true);
  });

  it('adopts an object whose apply reached the server but whose answer was lost', async () => {
    const stateFile = tempStateFile();
    const mesh = twoClusterMesh();
    const c1 = new FakeCluster('c1');
    const c2 = new FakeCluster('c2');
    c1.loseResponseFromApply = 2; // the ServiceAccount is created, the answer never arrives
    const first = await applyOnce({ mesh, fakes: [c1, c2], parallelism: 1, stateFile });
    expect(first.result.failed.map((f) => f.unit)).toEqual(['c1/control-plane']);
    const sa = 'c1/ServiceAccount/istio-system/istiod';
    expect(first.journal.state.objects[sa]).toMatchObject({ status: 'pending', existedBefore: false });

    c1.loseResponseFromApply = Infinity;
    const second = await applyOnce({ mesh, fakes: [c1, c2], stateFile, prior: first.journal.state });
    expect(second.plan.changes.find((c) => c.address === sa)!.action).toBe('noop');
    expect(second.journal.state.objects[sa]).toMatchObject({ status: 'applied', existedBefore: false });
    // A destroy now removes it: meshctl made it.
    const destroy = planOf({ mode: 'destroy', units: mesh.units, live: observe([c1, c2]), prior: second.journal.state });
    expect(destroy.changes.find((c) => c.address === sa)!.action).toBe('delete');
  });

  it('records an unchanged object under the unit that now makes it (CRDs split off control-plane)', async () => {
    const stateFile = tempStateFile();
    const c1 = new FakeCluster('c1');
    const before = meshOf([{ unit: unit({ cluster: 'c1', kind: 'control-plane' }), objects: [crd(), configMap()] }]);
    const first = await applyOnce({ mesh: before, fakes: [c1], stateFile });
    const crdAddr = 'c1/CustomResourceDefinition.apiextensions.k8s.io/_/gateways.networking.istio.io';
    expect(first.journal.state.objects[crdAddr]!.unit).toBe('c1/control-plane');

    const after = meshOf([
      { unit: unit({ cluster: 'c1', kind: 'crds' }), objects: [crd()] },
      { unit: unit({ cluster: 'c1', kind: 'control-plane', dependsOn: ['c1/crds'] }), objects: [configMap()] },
    ]);
    const appliesBefore = c1.applies;
    const second = await applyOnce({ mesh: after, fakes: [c1], stateFile, prior: first.journal.state });
    expect(second.plan.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0 });
    expect(c1.applies).toBe(appliesBefore); // nothing sent: only the record moved
    expect(second.journal.state.objects[crdAddr]).toMatchObject({ unit: 'c1/crds', status: 'applied' });
    const destroy = planOf({ mode: 'destroy', units: after.units, live: observe([c1]), prior: second.journal.state });
    expect(destroy.units.map((u) => u.id)).toEqual(['c1/control-plane', 'c1/crds']);
  });

  it('forgets, on destroy, an object an interrupted apply recorded as pending but never created', async () => {
    const stateFile = tempStateFile();
    const c1 = new FakeCluster('c1');
    const mesh = meshOf([{ unit: unit({ cluster: 'c1', kind: 'control-plane' }), objects: [configMap(), deployment()] }]);
    c1.loseResponseFromApply = 1; // the ConfigMap's apply never reaches an answer
    const first = await applyOnce({ mesh, fakes: [c1], parallelism: 1, stateFile });
    const cm = 'c1/ConfigMap/istio-system/istio';
    expect(first.journal.state.objects[cm]).toMatchObject({ status: 'pending' });
    c1.objects.delete(cm); // as if the server never created it
    const down = await applyOnce({ mode: 'destroy', mesh, fakes: [c1], stateFile, prior: first.journal.state });
    expect(down.result.failed).toEqual([]);
    expect(down.journal.state.objects).toEqual({});
    expect(down.journal.state.units).toEqual([]);
  });

  it('waits for each CRD to be Established before applying what follows it', async () => {
    const log: string[] = [];
    const c1 = new FakeCluster('c1', { log });
    const mesh = meshOf([{ unit: unit({ cluster: 'c1', kind: 'control-plane' }), objects: [crd(), configMap()] }]);
    const run = await applyOnce({ mesh, fakes: [c1], stateFile: tempStateFile() });
    expect(run.result.failed).toEqual([]);
    const crdAddr = 'c1/CustomResourceDefinition.apiextensions.k8s.io/_/gateways.networking.istio.io';
    expect(log).toEqual([`apply ${crdAddr}`, `read ${crdAddr}`, 'apply c1/ConfigMap/istio-system/istio']);
  });

  it('fails the unit, naming the CRD, when it is never Established', async () => {
    const c1 = new FakeCluster('c1', { statusOf: () => undefined });
    const mesh = meshOf([
      { unit: unit({ cluster: 'c1', kind: 'control-plane' }), objects: [crd(), configMap()] },
      { unit: unit({ cluster: 'c1', kind: 'expose-services', dependsOn: ['c1/control-plane'] }), objects: [gateway()] },
    ]);
    const run = await applyOnce({ mesh, fakes: [c1], stateFile: tempStateFile(), waitTimeoutMs: 0 });
    expect(run.result.failed).toHaveLength(1);
    expect(run.result.failed[0]!.diagnostics[0]!.detail).toBe(
      'Waited 0s in cluster "c1" for CRDs established (1); last seen: not established: gateways.networking.istio.io. Nothing after this step was done; run the same command again once the cause is fixed (it resumes), or raise --wait-timeout.',
    );
    expect(run.result.skipped).toEqual(['c1/expose-services']);
    expect(c1.get(configMap())).toBeUndefined();
  });

  it('destroys in reverse unit order and releases objects that existed before', async () => {
    const stateFile = tempStateFile();
    const mesh = twoClusterMesh();
    const log: string[] = [];
    const c1 = new FakeCluster('c1', { log });
    const c2 = new FakeCluster('c2', { log });
    c1.seed(namespace()); // istio-system was there before meshctl
    const applied1 = await applyOnce({ mesh, fakes: [c1, c2], stateFile });
    expect(applied1.journal.state.objects['c1/Namespace/_/istio-system']!.existedBefore).toBe(true);
    log.length = 0;
    const destroy = await applyOnce({ mesh, fakes: [c1, c2], stateFile, prior: applied1.journal.state, mode: 'destroy' });
    expect(destroy.result.failed).toEqual([]);
    expect(c1.get(namespace())).toMatchObject({ kind: 'Namespace', metadata: { name: 'istio-system' } });
    expect([...c1.objects.keys()]).toEqual(['c1/Namespace/_/istio-system']);
    expect([...c2.objects.keys()]).toEqual([]);
    expect(log.filter((l) => !l.startsWith('read'))).toEqual([
      'remove c1/Secret/istio-system/istio-remote-secret-c2',
      'remove c1/Deployment.apps/istio-system/istiod',
      'remove c1/ConfigMap/istio-system/istio',
      'remove c1/ServiceAccount/istio-system/istiod',
      // The namespaces go last, in the reverse of the order their units were first recorded:
      // c1's was already as wanted (nothing sent), so it was recorded after c2's.
      'apply c1/Namespace/_/istio-system',
      'remove c2/Namespace/_/istio-system',
    ]);
    expect(destroy.journal.state).toMatchObject({ units: [], objects: {} });
  });
});

describe('updating a validating webhook', () => {
  it.each(['Ignore', 'Fail'])('sends the failurePolicy it has now (%s) and no caBundle, so server-side apply keeps both', async (now) => {
    const sent: KubeObject[] = [];
    const fake = new FakeCluster('c1', { beforeApply: (o) => void sent.push(structuredClone(o)) });
    const live = validatingWebhook('istiod-default-validator', { failurePolicy: now, caBundle: 'cGF0Y2hlZA==' });
    fake.objects.set(addressIn('c1', live), live);
    const moved = validatingWebhook('istiod-default-validator');
    (moved as unknown as { webhooks: { clientConfig: { service: { name: string } } }[] }).webhooks[0]!.clientConfig.service.name = 'istiod-1-31-0';
    const run = await applyOnce({ mesh: meshOf([{ unit: unit({ cluster: 'c1', kind: 'revision-tags' }), objects: [moved] }]), fakes: [fake], stateFile: tempStateFile() });
    expect(run.result.failed).toEqual([]);
    expect(run.plan.changes.map((c) => c.action)).toEqual(['update']);
    const hook = (sent[0] as unknown as { webhooks: { failurePolicy: string; clientConfig: Record<string, unknown> }[] }).webhooks[0]!;
    expect(hook.failurePolicy).toBe(now);
    expect(hook.clientConfig).toEqual({ service: { name: 'istiod-1-31-0', namespace: 'istio-system' } });
  });
});
