// Generated trust kept in a Secret beside a Kubernetes state, against an in-memory API with the
// API server's semantics (409 on create of an existing name, resourceVersion compare-and-swap on
// update): create-only like the directory, one root for every runner even when two race, the
// trust directory copied into an empty Secret and never over material already there.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretsOf } from '../../../src/cli/trust-material.js';
import { DiagnosticsError } from '../../../src/diagnostics.js';
import { NamespacedApi } from '../../../src/state/kube-api.js';
import { DirectoryTrustStore } from '../../../src/trust/directory-store.js';
import { ensureTrust, readTrust, ROOT_GENERATED_SUMMARY } from '../../../src/trust/ensure.js';
import { fingerprint } from '../../../src/trust/fingerprint.js';
import { CACERTS_KEYS } from '../../../src/trust/material.js';
import { ROOT_VANISHED_SUMMARY, SEED_SUMMARIES } from '../../../src/trust/generated.js';
import { SecretTrustStore } from '../../../src/trust/secret-store.js';
import { FakeStateApi } from '../support/fake-state-api.js';
import { FAST_PROFILE, summaries, T0, tempDir } from './fixtures.js';

const NAME = 'meshctl-trust-mesh1';
const SECRET_PATH = `/api/v1/namespaces/meshctl-system/secrets`;

let api: FakeStateApi;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  api = new FakeStateApi();
  ({ path: dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

const trustDir = () => join(dir, 'trust');
/** One runner's view of the Secret (each run builds its own store). */
const secretStore = () => new SecretTrustStore({ secrets: secretsOf(new NamespacedApi(api, 'meshctl-system')), name: NAME, meshID: 'mesh1', directory: trustDir() });
const settings = () => ({ mode: 'generated' as const, directory: trustDir() });
const ensure = (clusters: string[], extra: Partial<Parameters<typeof ensureTrust>[0]> = {}) =>
  ensureTrust({ settings: settings(), clusters, now: T0, profile: FAST_PROFILE, store: secretStore(), ...extra });
const read = (clusters: string[], extra: Partial<Parameters<typeof readTrust>[0]> = {}) => readTrust({ settings: settings(), clusters, now: T0, store: secretStore(), ...extra });

const stored = () => api.objects('secrets').find((s) => s.metadata.name === NAME) as { type: string; data: Record<string, string>; metadata: { labels: Record<string, string> } } | undefined;
const decoded = (key: string) => Buffer.from(stored()!.data[key]!, 'base64').toString();
const writes = () => api.calls.filter((c) => !c.startsWith('GET'));

describe('generated trust in a Secret', () => {
  it('creates one Opaque Secret, one key per file of the directory layout, with one POST', async () => {
    const result = await ensure(['cluster1', 'cluster2']);
    expect(result.issued).toEqual({ root: true, clusters: ['cluster1', 'cluster2'] });
    expect(writes()).toEqual([`POST ${SECRET_PATH}`]);
    const s = stored()!;
    expect(s.type).toBe('Opaque');
    expect(s.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'meshctl', 'meshctl.io/mesh-id': 'mesh1' });
    expect(Object.keys(s.data).sort()).toEqual(['root-cert.pem', 'root-key.pem', ...['cluster1', 'cluster2'].flatMap((c) => CACERTS_KEYS.map((k) => `${c}.${k}`))].sort());
    const m = result.material.get('cluster1')!;
    expect(decoded('cluster1.ca-key.pem')).toBe(m.caKey.reveal());
    expect(decoded('cluster1.cert-chain.pem')).toBe(decoded('cluster1.ca-cert.pem') + decoded('root-cert.pem'));
    expect(m.origin.files['ca-key.pem']).toBe(`key cluster1.ca-key.pem of Secret ${NAME} in namespace "meshctl-system" (context "fake")`);
    expect(result.diagnostics.map((d) => [d.severity, d.summary])).toEqual([['warning', ROOT_GENERATED_SUMMARY]]);
    expect(result.diagnostics[0]!.detail).toContain(`key root-key.pem of Secret ${NAME}`);
  });

  it('another runner reads the same material and writes nothing', async () => {
    const first = await ensure(['cluster1']);
    const before = structuredClone(stored());
    const calls = api.calls.length;
    const reading = await read(['cluster1']);
    expect(reading.pending).toEqual({ root: false, clusters: [] });
    expect(reading.diagnostics).toEqual([]);
    const again = await ensure(['cluster1']);
    expect(again.issued).toEqual({ root: false, clusters: [] });
    for (const r of [reading, again]) {
      const [a, b] = [first.material.get('cluster1')!, r.material.get('cluster1')!];
      expect([b.caCert, b.certChain, b.rootCert, b.caKey.reveal()]).toEqual([a.caCert, a.certChain, a.rootCert, a.caKey.reveal()]);
    }
    expect(api.calls.slice(calls).every((c) => c.startsWith('GET'))).toBe(true);
    expect(stored()).toEqual(before);
  });

  it('readTrust on an empty namespace creates nothing and reports everything as pending', async () => {
    const reading = await read(['cluster1']);
    expect(reading).toEqual({ material: new Map(), diagnostics: [], pending: { root: true, clusters: ['cluster1'] } });
    expect(writes()).toEqual([]);
  });

  it('adds a cluster with one resourceVersion-checked PUT, leaving every existing key as it was', async () => {
    await ensure(['cluster1']);
    const before = structuredClone(stored()!.data);
    const added = await ensure(['cluster1', 'cluster2']);
    expect(added.issued).toEqual({ root: false, clusters: ['cluster2'] });
    expect(writes()).toEqual([`POST ${SECRET_PATH}`, `PUT ${SECRET_PATH}/${NAME}`]);
    for (const [k, v] of Object.entries(before)) expect(stored()!.data[k]).toBe(v);
    expect(fingerprint(added.material.get('cluster2')!.rootCert)).toBe(fingerprint(decoded('root-cert.pem')));
  });

  it('two runners racing to create the root: one wins by create-conflict, the other uses the winner’s', async () => {
    let other: Awaited<ReturnType<typeof ensure>> | undefined;
    api.beforeCall = async (method) => {
      if (method !== 'POST' || other) return;
      api.beforeCall = undefined;
      // Between this runner's read (no Secret) and its create, another runner creates it.
      other = await ensure(['cluster1']);
    };
    const loser = await ensure(['cluster1']);
    expect(other!.issued.root).toBe(true);
    expect(loser.issued).toEqual({ root: false, clusters: [] });
    expect(summaries(loser.diagnostics)).not.toContain(ROOT_GENERATED_SUMMARY);
    expect(loser.material.get('cluster1')!.caCert).toBe(other!.material.get('cluster1')!.caCert);
    expect(writes()).toEqual([`POST ${SECRET_PATH}`, `POST ${SECRET_PATH}`]);
    expect(api.objects('secrets')).toHaveLength(1);
  });

  it('two runners racing to add the same cluster: the PUT that lost reads the winner’s intermediate', async () => {
    await ensure(['cluster1']);
    let other: Awaited<ReturnType<typeof ensure>> | undefined;
    api.beforeCall = async (method) => {
      if (method !== 'PUT' || other) return;
      api.beforeCall = undefined;
      other = await ensure(['cluster1', 'cluster2']);
    };
    const loser = await ensure(['cluster1', 'cluster2']);
    expect(other!.issued.clusters).toEqual(['cluster2']);
    expect(loser.issued.clusters).toEqual([]);
    expect(loser.material.get('cluster2')!.caCert).toBe(other!.material.get('cluster2')!.caCert);
    expect(decoded('cluster2.ca-cert.pem')).toBe(other!.material.get('cluster2')!.caCert);
  });

  it('never completes a cluster whose keys are partly missing', async () => {
    await ensure(['cluster1']);
    const s = stored()!;
    const { 'cluster1.ca-key.pem': _gone, ...rest } = s.data;
    await api.call('PUT', `${SECRET_PATH}/${NAME}`, { body: { ...s, data: rest } });
    const calls = writes().length;
    const result = await ensure(['cluster1']);
    expect(summaries(result.diagnostics)).toEqual(['Incomplete cluster CA files']);
    expect(result.diagnostics[0]!.detail).toContain('ca-key.pem');
    expect(writes()).toHaveLength(calls);
  });

  it('with the root key removed from the Secret, a new cluster is refused, naming the key', async () => {
    await ensure(['cluster1']);
    const s = stored()!;
    const { 'root-key.pem': _offline, ...rest } = s.data;
    await api.call('PUT', `${SECRET_PATH}/${NAME}`, { body: { ...s, data: rest } });
    const result = await ensure(['cluster1', 'cluster2']);
    expect(summaries(result.diagnostics)).toEqual(['Root CA key not available']);
    expect(result.diagnostics[0]!.detail).toContain(`key root-key.pem of Secret ${NAME}`);
    expect(result.material.has('cluster1')).toBe(true);
  });

  it('apply never creates a root the plan did not plan (mayCreateRoot: false)', async () => {
    const result = await ensure(['cluster1'], { mayCreateRoot: false });
    expect(summaries(result.diagnostics)).toEqual([ROOT_VANISHED_SUMMARY]);
    expect(writes()).toEqual([]);
  });

  it('a missing permission is the state backend’s clear error, not a new root somewhere else', async () => {
    api.forbidden.add('secrets/create');
    await expect(ensure(['cluster1'])).rejects.toBeInstanceOf(DiagnosticsError);
    await expect(ensure(['cluster1'])).rejects.toMatchObject({ diagnostics: [{ summary: 'State backend permission missing' }] });
  });

  it('keeps key bytes out of everything it returns', async () => {
    const result = await ensure(['cluster1']);
    const reading = await read(['cluster1']);
    const text = JSON.stringify([result, reading, [...result.material.values()], [...reading.material.values()]]);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(stored()!.data['root-key.pem']!.slice(0, 40));
    expect(text).not.toContain(stored()!.data['cluster1.ca-key.pem']!.slice(0, 40));
  });
});

describe('the trust directory and an empty Secret', () => {
  const directory = () => new DirectoryTrustStore(trustDir());
  const local = (clusters: string[]) => ensureTrust({ settings: settings(), clusters, now: T0, profile: FAST_PROFILE });

  it('plan reads the directory while the Secret is empty; apply copies it, byte for byte, then reads the Secret only', async () => {
    const made = await local(['cluster1']);
    const reading = await read(['cluster1'], { seed: directory() });
    expect(summaries(reading.diagnostics)).toEqual([SEED_SUMMARIES.pending]);
    expect(reading.pending).toEqual({ root: false, clusters: [] });
    expect(reading.material.get('cluster1')!.caCert).toBe(made.material.get('cluster1')!.caCert);
    expect(writes()).toEqual([]);

    const copied = await ensure(['cluster1', 'cluster2'], { seed: directory() });
    expect(summaries(copied.diagnostics)).toEqual([SEED_SUMMARIES.copied]);
    expect(copied.issued).toEqual({ root: false, clusters: ['cluster2'] });
    expect(decoded('root-cert.pem')).toBe(await readFile(join(trustDir(), 'root-cert.pem'), 'utf8'));
    expect(decoded('root-key.pem')).toBe(await readFile(join(trustDir(), 'root-key.pem'), 'utf8'));
    expect(decoded('cluster1.ca-key.pem')).toBe(await readFile(join(trustDir(), 'cluster1', 'ca-key.pem'), 'utf8'));
    // cluster2 was issued into the Secret only, under the copied root.
    await expect(readFile(join(trustDir(), 'cluster2', 'ca-cert.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(fingerprint(copied.material.get('cluster2')!.rootCert)).toBe(fingerprint(made.material.get('cluster1')!.rootCert));

    const later = await read(['cluster1', 'cluster2']);
    expect(later.diagnostics).toEqual([]);
    expect(later.material.get('cluster1')!.caCert).toBe(made.material.get('cluster1')!.caCert);
  });

  it('never copies over material already in the Secret, and names a directory whose root differs', async () => {
    await ensure(['cluster1']);
    const before = structuredClone(stored());
    await local(['cluster1']);
    const result = await ensure(['cluster1'], { seed: directory() });
    expect(summaries(result.diagnostics)).toEqual([SEED_SUMMARIES.ignored]);
    const localRoot = fingerprint(await readFile(join(trustDir(), 'root-cert.pem'), 'utf8'));
    expect(result.diagnostics[0]!.detail).toContain(localRoot);
    expect(result.diagnostics[0]!.detail).toContain(fingerprint(decoded('root-cert.pem')));
    expect(stored()).toEqual(before);
    expect(summaries((await read(['cluster1'], { seed: directory() })).diagnostics)).toEqual([SEED_SUMMARIES.ignored]);
  });

  it('copies nothing from a directory meshctl would not use as it is', async () => {
    await local(['cluster1']);
    await rename(join(trustDir(), 'cluster1', 'ca-key.pem'), join(dir, 'moved.pem'));
    const result = await ensure(['cluster1'], { seed: directory() });
    expect(summaries(result.diagnostics)).toEqual(['Incomplete cluster CA files']);
    expect(writes()).toEqual([]);
  });

  it('an empty directory is not material: a fresh Secret gets a fresh root', async () => {
    await mkdir(trustDir(), { mode: 0o700 });
    const result = await ensure(['cluster1'], { seed: directory() });
    expect(result.issued.root).toBe(true);
    expect(summaries(result.diagnostics)).toEqual([ROOT_GENERATED_SUMMARY]);
  });
});
