// The Kubernetes state backend on an in-memory API (test/unit/support/fake-state-api.ts): the
// state round-trips gzipped, splits over chunk Secrets, a reader never sees a half-written set,
// two writers never both win, and the Lease lock waits, refuses naming the holder, expires,
// is taken over with a message, and is renewed while held. test/e2e/state-kubernetes.test.ts
// runs the same on a real API server.
import { describe, expect, it } from 'vitest';
import { KubernetesStateBackend, stateObjectName } from '../../../src/state/kubernetes.js';
import { emptyState, type MeshState } from '../../../src/state/state.js';
import { FakeStateApi } from '../support/fake-state-api.js';
import { failure } from '../support/failure.js';

const backend = (api: FakeStateApi, o: { chunkBytes?: number; now?: () => number; leaseDurationSeconds?: number } = {}) =>
  new KubernetesStateBackend({ caller: api, namespace: 'meshctl-system', meshID: 'mesh1', leaseDurationSeconds: o.leaseDurationSeconds ?? 60, ...o });

const initial = () => emptyState({ lineage: 'lineage-1', meshID: 'mesh1', meshctlVersion: '0.1.0' });

/** A state with `n` object records whose bodies do not compress away (random-looking data). */
function bigState(base: MeshState, n: number): MeshState {
  const objects: Record<string, MeshState['objects'][string]> = {};
  for (let i = 0; i < n; i++) {
    const address = `cluster1/ConfigMap/istio-system/cm-${i}`;
    const noise = Array.from({ length: 40 }, (_, j) => ((i * 2654435761 + j * 40503) >>> 0).toString(36)).join('');
    objects[address] = {
      unit: 'cluster1/control-plane',
      cluster: 'cluster1',
      ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: `cm-${i}` },
      status: 'applied',
      existedBefore: false,
      applied: { data: { noise } },
    };
  }
  return { ...base, objects };
}

describe('Kubernetes state backend: the state', () => {
  it('reads nothing before the first write, then what was written, serial by serial', async () => {
    const api = new FakeStateApi();
    const b = backend(api);
    expect(await b.read()).toBeNull();
    const one = await b.write(initial());
    expect(one.serial).toBe(1);
    const two = await b.write({ ...one, units: [{ id: 'cluster1/namespace', cluster: 'cluster1', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} }] });
    expect(two.serial).toBe(2);
    // Another runner (a new backend object) reads the same.
    expect(await backend(api).read()).toEqual(two);
    const head = api.objects('secrets').find((s) => s.metadata.name === stateObjectName('mesh1'))!;
    expect(head.metadata.annotations).toMatchObject({ 'meshctl.io/lineage': 'lineage-1', 'meshctl.io/serial': '2', 'meshctl.io/chunks': '[]' });
    expect(head['type']).toBe('meshctl.io/state');
  });

  it('splits a state larger than one Secret over chunks and reads it back whole', async () => {
    const api = new FakeStateApi();
    const b = backend(api, { chunkBytes: 4096 });
    const one = await b.write(bigState(initial(), 300));
    const chunks = api.objects('secrets').filter((s) => s.metadata.labels?.['meshctl.io/state-chunk'] === 'mesh1');
    expect(chunks.length).toBeGreaterThan(2);
    expect(await backend(api, { chunkBytes: 4096 }).read()).toEqual(one);
    // The next write's chunks replace the last ones: none of serial 1 is left.
    const two = await b.write(bigState(one, 310));
    const left = api.objects('secrets').filter((s) => s.metadata.labels?.['meshctl.io/state-chunk'] === 'mesh1');
    expect(new Set(left.map((s) => s.metadata.labels?.['meshctl.io/serial']))).toEqual(new Set(['2']));
    expect(await backend(api).read()).toEqual(two);
    // Shrinking back into the head removes the chunks too.
    await b.write({ ...two, objects: {} });
    expect(api.objects('secrets').map((s) => s.metadata.name)).toEqual([stateObjectName('mesh1')]);
  });

  it('a reader during a write sees the previous state whole, never half of the new one', async () => {
    const api = new FakeStateApi();
    const writer = backend(api, { chunkBytes: 4096 });
    const one = await writer.write(bigState(initial(), 200));
    let seen: MeshState | null | undefined;
    api.beforeCall = async (method, path) => {
      // Every chunk of serial 2 is stored; the head still names serial 1.
      if (method === 'PUT' && path.endsWith(`/secrets/${stateObjectName('mesh1')}`) && seen === undefined) {
        api.beforeCall = undefined;
        seen = await backend(api).read();
      }
    };
    const two = await writer.write(bigState(one, 250));
    expect(seen).toEqual(one);
    expect(await backend(api).read()).toEqual(two);
  });

  it('of two writers that read the same serial, the second is refused and changes nothing', async () => {
    const api = new FakeStateApi();
    await backend(api).write(initial());
    const a = backend(api);
    const b = backend(api);
    const fromA = (await a.read())!;
    const fromB = (await b.read())!;
    const won = await a.write({ ...fromA, units: [{ id: 'cluster1/a', cluster: 'cluster1', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} }] });
    const message = await failure(b.write({ ...fromB, units: [{ id: 'cluster1/b', cluster: 'cluster1', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} }] }));
    expect(message).toMatch(/^State changed by another run: Secret meshctl-system\/meshctl-state-mesh1 \(context "fake"\) now holds serial 2, but this run started from serial 1/);
    expect(await backend(api).read()).toEqual(won);
  });

  it('a lost compare-and-swap of a chunked write leaves none of its chunks behind', async () => {
    const api = new FakeStateApi();
    const first = await backend(api).write(initial());
    const a = backend(api, { chunkBytes: 4096 });
    const b = backend(api, { chunkBytes: 4096 });
    await a.read();
    await b.read();
    await a.write(bigState(first, 100));
    await failure(b.write(bigState(first, 120)));
    const chunks = api.objects('secrets').filter((s) => s.metadata.labels?.['meshctl.io/state-chunk'] === 'mesh1');
    const head = api.objects('secrets').find((s) => s.metadata.name === stateObjectName('mesh1'))!;
    expect(chunks.map((s) => s.metadata.name).sort()).toEqual((JSON.parse((head.metadata['annotations'] as Record<string, string>)['meshctl.io/chunks']!) as string[]).sort());
  });

  it('refuses a state edited by hand (its digest does not match)', async () => {
    const api = new FakeStateApi();
    await backend(api).write(initial());
    const head = api.objects('secrets').find((s) => s.metadata.name === stateObjectName('mesh1'))!;
    (head.metadata.annotations as Record<string, string>)['meshctl.io/sha256'] = '0'.repeat(64);
    expect(await failure(backend(api).read())).toMatch(/^Unusable state: .*does not match its recorded digest/);
  });

  it('names the missing permission and the namespace when RBAC refuses', async () => {
    const api = new FakeStateApi();
    api.forbidden.add('secrets/get');
    expect(await failure(backend(api).read())).toMatch(
      /^State backend permission missing: meshctl may not get secrets \(meshctl-state-mesh1\) in namespace "meshctl-system" \(context "fake"\): .*in that namespace only: get, list, create, update, delete on secrets, and get, create, update, delete on leases/,
    );
  });
});

describe('Kubernetes state backend: the Lease lock', () => {
  const req = { operation: 'apply', version: '0.1.0', timeoutMs: 0 };

  it('refuses a second holder, naming it, when its lease would run out, and how to break it', async () => {
    const api = new FakeStateApi();
    let t = Date.parse('2026-12-02T10:00:00Z');
    const now = () => t;
    const first = await backend(api, { now }).lock(req);
    t += 20_000;
    const message = await failure(backend(api, { now }).lock({ ...req, operation: 'destroy' }));
    expect(message).toContain(`is locked by ${first.info.who} (pid ${process.pid}) for "apply", taken 20s ago (lock ID ${first.info.id}, meshctl 0.1.0); it renewed its lease 20s ago.`);
    expect(message).toContain(`its lease runs out within 40s and the next run takes the lock over; to break it now: meshctl force-unlock ${first.info.id}`);
    const lease = api.objects('leases')[0]!;
    expect(lease['spec']).toMatchObject({ holderIdentity: first.info.id, leaseDurationSeconds: 60 });
    expect((lease['spec'] as { renewTime: string }).renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await first.release();
    expect(api.objects('leases')).toEqual([]);
  });

  it('takes over an expired lease, naming the old holder and how long ago it stopped renewing', async () => {
    const api = new FakeStateApi();
    let t = Date.parse('2026-12-02T10:00:00Z');
    const now = () => t;
    const crashed = await backend(api, { now, leaseDurationSeconds: 30 }).lock(req); // never released: SIGKILL
    t += 45_000;
    const told: string[] = [];
    const second = await backend(api, { now, leaseDurationSeconds: 30 }).lock({ ...req, onTakeover: (m) => told.push(m) });
    expect(told).toEqual([
      `Took over the state lock of ${crashed.info.who} (pid ${process.pid}) for "apply", taken 45s ago (lock ID ${crashed.info.id}, meshctl 0.1.0): its lease (30s) expired, it stopped renewing 45s ago.`,
    ]);
    expect((api.objects('leases')[0]!['spec'] as { holderIdentity: string; leaseTransitions: number }).holderIdentity).toBe(second.info.id);
    // The crashed run's release (had it come back) does not remove the new holder's lease.
    await crashed.release();
    expect(api.objects('leases')).toHaveLength(1);
    await second.release();
  });

  it('waits up to the lock timeout and proceeds once the holder releases', async () => {
    const api = new FakeStateApi();
    const first = await backend(api).lock(req);
    const waited: string[] = [];
    setTimeout(() => void first.release(), 500);
    const second = await backend(api).lock({ ...req, timeoutMs: 10_000, onWait: (h) => waited.push(h.id) });
    expect(waited).toEqual([first.info.id]);
    await second.release();
  });

  it('renews the lease while held', async () => {
    const api = new FakeStateApi();
    const held = await backend(api, { leaseDurationSeconds: 3 }).lock(req);
    const renewTime = () => (api.objects('leases')[0]!['spec'] as { renewTime: string }).renewTime;
    const before = renewTime();
    await new Promise((r) => setTimeout(r, 1300));
    expect(renewTime() > before).toBe(true);
    await held.release();
  });

  it('force-unlock needs the holder ID and removes only that lease', async () => {
    const api = new FakeStateApi();
    const held = await backend(api).lock(req);
    expect(await failure(backend(api).forceUnlock('not-it'))).toMatch(/^Lock ID does not match: .* locked with ID .* not not-it\. Nothing was removed\.$/);
    expect((await backend(api).forceUnlock(held.info.id)).id).toBe(held.info.id);
    expect(api.objects('leases')).toEqual([]);
    expect(await failure(backend(api).forceUnlock(held.info.id))).toMatch(/^No lock to remove:/);
  });

  it('a run force-unlocked while it ran leaves the next holder’s lease at its end, and says so', async () => {
    const api = new FakeStateApi();
    const lost: string[] = [];
    const first = await backend(api).lock({ ...req, onLost: (m) => lost.push(m) });
    await backend(api).forceUnlock(first.info.id);
    const second = await backend(api).lock({ ...req, operation: 'destroy' });
    await first.release();
    expect((api.objects('leases')[0]!['spec'] as { holderIdentity: string }).holderIdentity).toBe(second.info.id);
    expect(lost).toEqual([`The state lock (Lease meshctl-system/meshctl-lock-mesh1) was no longer this run's (force-unlocked?); left the current holder's lock, if any, in place.`]);
    await second.release();
    expect(api.objects('leases')).toEqual([]);
  });

  it('removes its own lease at its end even when the answer to a renewal was lost', async () => {
    const api = new FakeStateApi();
    let drop = true;
    // The API server renews the lease, but the answer never arrives (a connection reset).
    const caller = {
      describe: api.describe,
      call: async (method: string, path: string, opts?: { body?: unknown }) => {
        const res = await api.call(method, path, opts);
        if (method === 'PUT' && drop) {
          drop = false;
          throw new Error('socket hang up');
        }
        return res;
      },
    };
    const lost: string[] = [];
    const held = await new KubernetesStateBackend({ caller, namespace: 'meshctl-system', meshID: 'mesh1', leaseDurationSeconds: 3 }).lock({ ...req, onLost: (m) => lost.push(m) });
    await new Promise((r) => setTimeout(r, 1300));
    expect(drop).toBe(false);
    await held.release();
    expect(api.objects('leases')).toEqual([]);
    expect(lost).toEqual([]);
  });

  it('says how to create a missing namespace, and names a refused verb', async () => {
    const api = new FakeStateApi();
    api.namespaces.clear();
    expect(await failure(backend(api).lock(req))).toMatch(/^State namespace missing: .*kubectl create namespace meshctl-system/);
    const denied = new FakeStateApi();
    denied.forbidden.add('leases/create');
    expect(await failure(backend(denied).lock(req))).toMatch(/^State backend permission missing: meshctl may not create leases \(meshctl-lock-mesh1\) in namespace "meshctl-system"/);
  });
});
