// The root is never swapped silently, through the real entry point: generated trust whose root
// is not where meshctl looks (the trust directory gone, as on a fresh CI runner) makes plan and
// apply refuse while the cluster holds cacerts or the state records it, writing nothing
// anywhere; --new-root is the explicit way through. And generated material kept in a Secret
// beside a Kubernetes state: a second checkout plans with the same root.
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPorts, type Ports } from '../../../src/cli/ports.js';
import { makeTrust, readTrust } from '../../../src/cli/trust-material.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import type { Istioctl } from '../../../src/render/istioctl.js';
import { fingerprint } from '../../../src/trust/fingerprint.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { FakeStateApi } from '../support/fake-state-api.js';
import { FAST_PROFILE } from '../trust/fixtures.js';
import { meshctl, renderedControlPlane, singlePrimaryMesh, stateOnDisk, world, type World } from './cli-harness.js';

const generatedMesh = (extra = '') => `${singlePrimaryMesh.replace('  none: {}', '  generated: {}')}${extra}`;

/** The real trust port, with 2048-bit keys so tests stay fast. */
const fastTrust: Ports['trust'] = { read: readTrust, make: (t, now, ctx) => makeTrust(t, now, { ...ctx, profile: FAST_PROFILE }) };

function generatedWorld(): World {
  const w = world(generatedMesh());
  return { ...w, ports: { ...w.ports, trust: fastTrust } };
}

const CACERTS = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: 'istio-system' } };

function liveRoot(w: Pick<World, 'cluster'>): string {
  const data = (w.cluster.get(CACERTS) as unknown as { data: Record<string, string> }).data;
  return fingerprint(Buffer.from(data['root-cert.pem']!, 'base64').toString());
}

/** Every object with its resourceVersion and data: what "nothing changed" compares. */
function clusterSnapshot(w: Pick<World, 'cluster'>): string {
  return JSON.stringify([...w.cluster.objects].sort(([a], [b]) => a.localeCompare(b)));
}

async function appliedThenTrustGone(): Promise<World & { root: string }> {
  const w = generatedWorld();
  const applied = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
  expect(applied.code, applied.err).toBe(0);
  const root = liveRoot(w);
  // A fresh CI runner: the checkout has mesh.yaml and the state, but not the trust directory.
  renameSync(join(w.dir, 'trust'), join(w.dir, 'trust-elsewhere'));
  return { ...w, root };
}

describe('generated trust whose root is missing, on a running mesh', () => {
  it('plan refuses, naming the root the cluster holds and where meshctl looked, and writes nothing', async () => {
    const w = await appliedThenTrustGone();
    const before = { cluster: clusterSnapshot(w), state: stateOnDisk(w), applies: w.cluster.applies };
    const r = await meshctl(w, ['plan']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Root CA not found for a running mesh');
    expect(r.err).toContain(w.root);
    expect(r.err).toContain(`the trust directory ${join(w.dir, 'trust')}`);
    expect(r.err).toContain('cluster1 holds Secret istio-system/cacerts chained to root');
    expect(r.err).toContain('copy the trust directory from where the mesh was first applied');
    expect(r.err).toContain('trust.provided');
    expect(r.err).toContain('--new-root');
    expect(r.out).toBe('');
    expect(existsSync(join(w.dir, 'trust'))).toBe(false);
    expect({ cluster: clusterSnapshot(w), state: stateOnDisk(w), applies: w.cluster.applies }).toEqual(before);
  });

  it('apply refuses before it creates any material: no trust directory, no write to the cluster or the state', async () => {
    const w = await appliedThenTrustGone();
    const before = { cluster: clusterSnapshot(w), state: stateOnDisk(w), applies: w.cluster.applies };
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Root CA not found for a running mesh');
    expect(r.err).toContain(w.root);
    expect(r.err).not.toContain('Root CA key generated');
    expect(existsSync(join(w.dir, 'trust'))).toBe(false);
    expect({ cluster: clusterSnapshot(w), state: stateOnDisk(w), applies: w.cluster.applies }).toEqual(before);
  });

  it('also refuses when only the state records cacerts (the Secret was deleted), naming the recorded root', async () => {
    const w = await appliedThenTrustGone();
    await w.cluster.remove({ apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' });
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the state records the cacerts meshctl applied to cluster1 with root');
    expect(r.err).toContain(w.root);
    expect(existsSync(join(w.dir, 'trust'))).toBe(false);
    expect(w.cluster.get(CACERTS)).toBeUndefined();
  });

  it('refuses a cacerts Secret meshctl never made too (a hand-made plug-in CA)', async () => {
    const w = generatedWorld();
    const applied = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    const secret = structuredClone(w.cluster.get(CACERTS)!);
    const other = generatedWorld();
    other.cluster.seed(secret);
    const r = await meshctl(other, ['plan']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(liveRoot(w));
    expect(existsSync(join(other.dir, 'trust'))).toBe(false);
  });

  it('--new-root plans and applies a new root, saying what it breaks', async () => {
    const w = await appliedThenTrustGone();
    const plan = await meshctl(w, ['plan', '--new-root']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.err).toContain('New root CA for a running mesh');
    expect(plan.err).toContain(w.root);
    expect(plan.out).toContain('cacerts');
    expect(existsSync(join(w.dir, 'trust'))).toBe(false);
    const apply = await meshctl(w, ['apply', '--verify=false', '--auto-approve', '--new-root']);
    expect(apply.code, apply.err).toBe(0);
    expect(apply.err).toContain('New root CA for a running mesh');
    expect(apply.err).toContain('Root CA key generated');
    expect(liveRoot(w)).not.toBe(w.root);
    // From then on the new root is where meshctl looks: no flag needed, nothing to change.
    const again = await meshctl(w, ['plan', '--detailed-exitcode']);
    expect(again.code, again.out + again.err).toBe(0);
  });

  it('a fresh mesh (no cacerts anywhere, no state) still generates its root without --new-root', async () => {
    const w = generatedWorld();
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('Root CA key generated');
    expect(r.err).not.toContain('New root CA for a running mesh');
  });
});

/** Two checkouts of one mesh.yaml with a Kubernetes state: one cluster, one state namespace. */
function kubernetesWorlds(n: number): { worlds: World[]; api: FakeStateApi; cluster: FakeCluster } {
  const cluster = new FakeCluster('cluster1');
  const api = new FakeStateApi();
  const stateClient = { describe: api.describe, server: 'https://state.test:6443', call: api.call.bind(api), close: () => undefined } as unknown as ClusterClient;
  const istioctl: Istioctl = { binary: 'istioctl', version: '1.31.0', render: async () => renderedControlPlane() };
  const yaml = generatedMesh('state:\n  kubernetes: { context: cluster1, namespace: meshctl-system }\n');
  const worlds = Array.from({ length: n }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-cli-'));
    writeFileSync(join(dir, 'mesh.yaml'), yaml);
    const ports: Ports = {
      ...defaultPorts(),
      connect: (o) => (o.cluster === 'state backend' || o.cluster === 'trust store' ? stateClient : Object.assign(cluster.asClient(), { close: () => undefined })),
      istioctl: async (o) => ({ ...istioctl, version: o.wantVersion }),
      trust: fastTrust,
      now: () => new Date('2026-01-02T03:04:05.000Z'),
    };
    return { dir, stateFile: join(dir, 'meshctl.state.json'), cluster, ports };
  });
  return { worlds, api, cluster };
}

const trustSecret = (api: FakeStateApi) => api.objects('secrets').find((s) => s.metadata.name === 'meshctl-trust-mesh1') as unknown as { type: string; data: Record<string, string> } | undefined;

describe('generated trust beside a Kubernetes state', () => {
  it('keeps the material in its own Secret, so a second checkout plans with the same root and no change', async () => {
    const {
      worlds: [a, b],
      api,
    } = kubernetesWorlds(2);
    const applied = await meshctl(a!, ['apply', '--verify=false', '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.err).toContain('Root CA key generated');
    expect(applied.err).toContain('key root-key.pem of Secret meshctl-trust-mesh1 in namespace "meshctl-system"');
    expect(existsSync(join(a!.dir, 'trust'))).toBe(false);
    const secret = trustSecret(api)!;
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.data).sort()).toEqual(['cluster1.ca-cert.pem', 'cluster1.ca-key.pem', 'cluster1.cert-chain.pem', 'cluster1.root-cert.pem', 'root-cert.pem', 'root-key.pem']);
    const root = Buffer.from(secret.data['root-cert.pem']!, 'base64').toString();
    expect(liveRoot(b!)).toBe(fingerprint(root));
    // Never in the state: the state Secret holds no key material.
    const state = api.objects('secrets').find((s) => s.metadata.name === 'meshctl-state-mesh1') as unknown as { data: Record<string, string> };
    expect(Object.keys(state.data)).not.toContain('root-key.pem');

    const calls = api.calls.length;
    const plan = await meshctl(b!, ['plan', '--detailed-exitcode']);
    expect(plan.code, plan.out + plan.err).toBe(0);
    expect(plan.out).toBe('No changes. The mesh matches mesh.yaml.\n');
    expect(existsSync(join(b!.dir, 'trust'))).toBe(false);
    expect(api.calls.slice(calls).filter((c) => !c.startsWith('GET'))).toEqual([]);
    // No key bytes in anything printed.
    for (const text of [applied.out, applied.err, plan.out, plan.err]) expect(text).not.toContain('PRIVATE KEY');
  });

  it('copies an existing ./trust into the empty Secret (plan uses it, apply uploads it) and keeps the root', async () => {
    const local = generatedWorld();
    expect((await meshctl(local, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const root = liveRoot(local);
    // The team moves the state into Kubernetes; ./trust is still in this checkout.
    const {
      worlds: [a, b],
      api,
      cluster,
    } = kubernetesWorlds(2);
    for (const [address, obj] of local.cluster.objects) cluster.objects.set(address, obj);
    rmSync(a!.dir, { recursive: true });
    renameSync(local.dir, a!.dir);
    writeFileSync(join(a!.dir, 'mesh.yaml'), generatedMesh('state:\n  kubernetes: { context: cluster1, namespace: meshctl-system }\n'));
    rmSync(join(a!.dir, 'meshctl.state.json'));

    const plan = await meshctl(a!, ['plan']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.err).toContain('Trust directory to be copied into the Secret');
    expect(trustSecret(api)).toBeUndefined();
    const applied = await meshctl(a!, ['apply', '--verify=false', '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.err).toContain('Trust directory copied into the Secret');
    expect(applied.err).not.toContain('Root CA key generated');
    expect(fingerprint(Buffer.from(trustSecret(api)!.data['root-cert.pem']!, 'base64').toString())).toBe(root);
    expect(liveRoot({ cluster })).toBe(root);

    const fresh = await meshctl(b!, ['plan', '--detailed-exitcode']);
    expect(fresh.code, fresh.out + fresh.err).toBe(0);
  });

  it('refuses on a running mesh when the Secret holds no root and there is no ./trust to copy', async () => {
    const {
      worlds: [a, b],
      api,
      cluster,
    } = kubernetesWorlds(2);
    expect((await meshctl(a!, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const secret = api.objects('secrets').find((s) => s.metadata.name === 'meshctl-trust-mesh1')!;
    await api.call('DELETE', `/api/v1/namespaces/meshctl-system/secrets/${secret.metadata.name}`);
    const before = clusterSnapshot({ cluster });
    const r = await meshctl(b!, ['apply', '--verify=false', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Root CA not found for a running mesh');
    expect(r.err).toContain('Secret meshctl-trust-mesh1 in namespace "meshctl-system"');
    expect(r.err).toContain('apply copies it into that Secret');
    expect(trustSecret(api)).toBeUndefined();
    expect(clusterSnapshot({ cluster })).toBe(before);
  });
});
