// The shared root of trust on real clusters: cacerts everywhere with one root, fingerprints
// (never keys) in plans, and a cluster whose live cacerts chain to another root is reported
// and left alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig } from '../harness/e2e.js';
import { meshctl } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const core = (ctx: string) => kubeConfig(ctx).makeApiClient(k8s.CoreV1Api);

describe('shared root of trust', () => {
  let dir: string;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });

  beforeAll(async () => {
    dir = await freshMeshDir({ prefix: 'trust', mesh: example, clusters: ['cluster1', 'cluster2'] });
  });
  afterAll(async () => {
    if (dir) {
      await run('destroy', '--auto-approve');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plugs cacerts into both clusters, one root, no key bytes anywhere but the trust directory', async () => {
    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain('Root CA key generated');
    const s1 = await core('cluster1').readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    const s2 = await core('cluster2').readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    expect(s1.data!['root-cert.pem']).toBe(s2.data!['root-cert.pem']);
    const root = Buffer.from(s1.data!['root-cert.pem']!, 'base64').toString();
    expect(root).toBe(readFileSync(join(dir, 'trust', 'root-cert.pem'), 'utf8'));
    // Each intermediate verifies against the shared root.
    for (const s of [s1, s2]) {
      const chain = Buffer.from(s.data!['cert-chain.pem']!, 'base64').toString();
      const ca = Buffer.from(s.data!['ca-cert.pem']!, 'base64').toString();
      expect(chain.startsWith(ca)).toBe(true);
    }
    const plan = await run('plan', '--detailed-exitcode', '--out', 'p.json');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);

    const keys = readdirSync(join(dir, 'trust'), { recursive: true }).filter((f) => String(f).endsWith('key.pem'));
    expect(keys.length).toBe(3); // root + one intermediate per cluster
    const everything = [readFileSync(join(dir, 'meshctl.state.json'), 'utf8'), readFileSync(join(dir, 'p.json'), 'utf8'), applied.stdout, applied.stderr, plan.stdout, plan.stderr].join('\n');
    expect(everything).not.toContain('PRIVATE KEY');
    for (const k of keys) {
      const pem = readFileSync(join(dir, 'trust', String(k)), 'utf8');
      const body = pem
        .split('\n')
        .filter((l) => l && !l.startsWith('-----'))
        .join('');
      expect(everything.includes(body.slice(0, 64))).toBe(false);
      expect(everything.includes(Buffer.from(pem).toString('base64').slice(0, 64))).toBe(false);
    }
  });

  it('reports a cluster whose live cacerts chain to another root, and overwrites nothing', async () => {
    const foreign = mkdtempSync(join(tmpdir(), 'meshctl-foreign-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Elsewhere/CN=Other Root', '-days', '30', '-keyout', join(foreign, 'k.pem'), '-out', join(foreign, 'c.pem')],
      { stdio: 'ignore' },
    );
    const otherRoot = readFileSync(join(foreign, 'c.pem'));
    rmSync(foreign, { recursive: true, force: true });
    const b64 = otherRoot.toString('base64');
    await core('cluster2').patchNamespacedSecret(
      {
        name: 'cacerts',
        namespace: 'istio-system',
        body: [
          { op: 'replace', path: '/data/root-cert.pem', value: b64 },
          { op: 'replace', path: '/data/cert-chain.pem', value: b64 },
        ],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    const plan = await run('plan');
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('Live cacerts chain to another root');
    expect(plan.stderr).toContain('cluster2');
    const apply = await run('apply', '--auto-approve');
    expect(apply.code).toBe(1);
    const still = await core('cluster2').readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    expect(still.data!['root-cert.pem']).toBe(b64);

    // Removing the stray Secret deliberately lets meshctl plug the mesh's root back in.
    await core('cluster2').deleteNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    const repair = await run('plan', '--no-color');
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    expect(repair.stdout).toMatch(/\/data\/root-cert\.pem: \(sensitive value\) certificate SHA256:[0-9a-f:]+/);
    expect(repair.stdout).toContain('/data/ca-key.pem: (sensitive value)\n');
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
