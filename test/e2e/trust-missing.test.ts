// The root is never swapped silently, on real clusters. (a) The guide's mesh applied, then the
// trust directory gone, as on a fresh CI runner: plan and apply both refuse, naming the root
// the clusters hold, and nothing meshctl manages in either cluster changes. (b) Generated trust
// beside a Kubernetes state: a second checkout with no trust directory plans with the same
// root, and its plan shows no change.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig, uniqueName } from '../harness/e2e.js';
import { meshctl } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';
import { snapshot } from './support/snapshot.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const core = (ctx: string) => kubeConfig(ctx).makeApiClient(k8s.CoreV1Api);
const objects = (ctx: string) => k8s.KubernetesObjectApi.makeApiClient(kubeConfig(ctx));
const CLUSTERS = ['cluster1', 'cluster2'] as const;

/**
 * What meshctl has written to a cluster: the meshctl field-manager entries of every object the
 * state records (their time and fields change only when meshctl writes), the cacerts Secret
 * whole (data and resourceVersion), and the names of everything there. istiod's own writes
 * (leader election, root-cert ConfigMaps) move other resourceVersions by themselves.
 */
async function written(ctx: string, stateFile: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { names: await snapshot(ctx) };
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { objects: Record<string, { cluster: string; ref: { apiVersion: string; kind: string; namespace?: string; name: string } }> };
  for (const [address, { cluster, ref }] of Object.entries(state.objects)) {
    if (cluster !== ctx) continue;
    const o = await objects(ctx).read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
    out[address] = (o.metadata?.managedFields ?? []).filter((f) => f.manager === 'meshctl');
  }
  const cacerts = await core(ctx).readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
  out.cacerts = { data: cacerts.data, resourceVersion: cacerts.metadata?.resourceVersion };
  return out;
}

/** The trust Secret's keys: one per file of the directory layout. */
const trustKeys = (clusters: readonly string[]) =>
  ['root-cert.pem', 'root-key.pem', ...clusters.flatMap((c) => ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'].map((k) => `${c}.${k}`))].sort();

async function liveRoot(ctx: string): Promise<string> {
  const s = await core(ctx).readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
  const pem = Buffer.from(s.data!['root-cert.pem']!, 'base64').toString();
  return `SHA256:${new X509Certificate(pem).fingerprint256.toLowerCase()}`;
}

describe('a root that is not where meshctl looks, on a running mesh', () => {
  let dir: string;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });

  beforeAll(async () => {
    dir = await freshMeshDir({ prefix: 'trust-missing', mesh: example, clusters: [...CLUSTERS] });
  });
  afterAll(async () => {
    if (!dir) return;
    if (existsSync(join(dir, 'trust-elsewhere')) && !existsSync(join(dir, 'trust'))) renameSync(join(dir, 'trust-elsewhere'), join(dir, 'trust'));
    await run('destroy', '--auto-approve');
    rmSync(dir, { recursive: true, force: true });
  });

  it('plan and apply refuse on a fresh runner (no trust directory), naming the root, and change nothing', async () => {
    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const root = await liveRoot('cluster1');
    expect(await liveRoot('cluster2')).toBe(root);

    // The trust directory stays on the machine that first applied; this runner has the rest.
    renameSync(join(dir, 'trust'), join(dir, 'trust-elsewhere'));
    const stateFile = join(dir, 'meshctl.state.json');
    const before = { cluster1: await written('cluster1', stateFile), cluster2: await written('cluster2', stateFile) };
    const state = readFileSync(stateFile, 'utf8');
    const stateMtime = statSync(join(dir, 'meshctl.state.json')).mtimeMs;

    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      const r = await run(...args);
      expect(r.code, `${args.join(' ')}:\n${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stderr).toContain('Root CA not found for a running mesh');
      expect(r.stderr).toContain(root);
      expect(r.stderr).toContain(`the trust directory ${join(dir, 'trust')}`);
      expect(r.stderr).toContain('cluster1 and cluster2 hold Secret istio-system/cacerts');
      expect(r.stderr).toContain('--new-root');
      expect(r.stderr).not.toContain('Root CA key generated');
      expect(existsSync(join(dir, 'trust'))).toBe(false);
    }

    expect({ cluster1: await written('cluster1', stateFile), cluster2: await written('cluster2', stateFile) }).toEqual(before);
    expect(readFileSync(join(dir, 'meshctl.state.json'), 'utf8')).toBe(state);
    expect(statSync(join(dir, 'meshctl.state.json')).mtimeMs).toBe(stateMtime);

    // With the directory back where meshctl looks, the mesh is as it was.
    renameSync(join(dir, 'trust-elsewhere'), join(dir, 'trust'));
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});

describe('generated trust beside a Kubernetes state', () => {
  const namespace = uniqueName('meshctl-trust');
  let first: string;
  let second: string;

  beforeAll(async () => {
    first = await freshMeshDir({ prefix: 'trust-kube-a', mesh: example, clusters: [...CLUSTERS] });
    second = mkdtempSync(join(tmpdir(), 'meshctl-trust-kube-b-'));
    const yaml = readFileSync(example, 'utf8').replace('generated: { directory: ./trust }', 'generated: {}') + `state:\n  kubernetes:\n    context: cluster1\n    namespace: ${namespace}\n`;
    for (const d of [first, second]) writeFileSync(join(d, 'mesh.yaml'), yaml);
    await core('cluster1').createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    if (second) await meshctl(['destroy', '--auto-approve'], { cwd: second });
    for (const d of [first, second]) if (d) rmSync(d, { recursive: true, force: true });
    await core('cluster1')
      .deleteNamespace({ name: namespace })
      .catch(() => undefined);
  });

  it('a second checkout without a trust directory plans with the same root and no change', async () => {
    const applied = await meshctl(['apply', '--auto-approve'], { cwd: first });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain('Root CA key generated');
    expect(existsSync(join(first, 'trust'))).toBe(false);

    // The material: its own Opaque Secret beside the state, one key per file of the layout.
    const secret = await core('cluster1').readNamespacedSecret({ name: 'meshctl-trust-mesh1', namespace });
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.data!).sort()).toEqual(trustKeys(CLUSTERS));
    const rootPem = Buffer.from(secret.data!['root-cert.pem']!, 'base64').toString();
    const root = `SHA256:${new X509Certificate(rootPem).fingerprint256.toLowerCase()}`;
    expect(await liveRoot('cluster1')).toBe(root);
    expect(await liveRoot('cluster2')).toBe(root);
    // Never in the state: its Secrets hold the state document only.
    const stateSecrets = await core('cluster1').listNamespacedSecret({ namespace });
    for (const s of stateSecrets.items.filter((i) => i.metadata?.name?.startsWith('meshctl-state-'))) expect(Object.keys(s.data ?? {})).not.toContain('root-key.pem');

    const plan = await meshctl(['plan', '--detailed-exitcode'], { cwd: second });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    expect(existsSync(join(second, 'trust'))).toBe(false);
    const everything = [applied.stdout, applied.stderr, plan.stdout, plan.stderr].join('\n');
    expect(everything).not.toContain('PRIVATE KEY');
    expect(everything).not.toContain(secret.data!['root-key.pem']!.slice(0, 64));
  });
});
