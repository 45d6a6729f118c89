// `meshctl verify` on real API servers, after the guide's apply: every check passes, then each
// break a running mesh meets is named by the check a user would read (exit 2), and apply (or
// putting the object back) makes verify pass again.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubeConfig } from '../harness/e2e.js';
import { issueIntermediateCa, issueRootCa } from '../../src/trust/issue.js';
import { ISTIO_CA_PROFILE } from '../../src/trust/profile.js';
import { usableDocRanges } from '../harness/simulator/loadbalancer.js';
import { meshctl } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const core = (ctx: string) => kubeConfig(ctx).makeApiClient(k8s.CoreV1Api);
const failed = (out: string) => out.split('\n').filter((l) => l.includes('✗'));

describe('meshctl verify', () => {
  let dir: string;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });
  const verifyPasses = async () => {
    const r = await run('verify', '--no-color');
    expect(failed(r.stdout), r.stdout + r.stderr).toEqual([]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r;
  };

  beforeAll(async () => {
    dir = await freshMeshDir({ prefix: 'verify', mesh: example, clusters: ['cluster1', 'cluster2'] });
    const r = await run('apply', '--auto-approve', '--no-color');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // apply ran the same checks at its end.
    expect(r.stdout).toContain('Verifying the mesh (meshctl verify):');
    expect(r.stdout).toMatch(/Verify: \d+ passed, 0 failed, 0 warnings\./);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check of the applied guide, per cluster and per link, and says so in JSON', async () => {
    const r = await verifyPasses();
    for (const line of ['✓ istiod', '✓ cacerts', '✓ east-west-gateway', '✓ remote-address', '✓ remote-secret', '✓ reached']) expect(r.stdout).toContain(line);
    expect(r.stdout).toContain('authenticates to cluster2 as system:serviceaccount:istio-system:istio-reader-service-account');
    const json = await run('verify', '--json');
    const doc = JSON.parse(json.stdout) as { ok: boolean; checks: { scope: string; check: string; status: string }[] };
    expect(doc.ok).toBe(true);
    expect(doc.checks.map((c) => `${c.scope} ${c.check}`)).toContain('cluster1 → cluster2 remote-secret');
  });

  it('names the remote secret whose reader token was deleted in the remote; apply repairs it', async () => {
    await core('cluster2').deleteNamespacedSecret({ name: 'istio-reader-service-account-istio-remote-secret-token', namespace: 'istio-system' });
    // The API server stops accepting the token once its authenticator's lookup of the Secret
    // misses (a second or so); istiod sees the same.
    const r = await eventually(
      'the remote to refuse the deleted token',
      async () => {
        const v = await run('verify', '--no-color');
        return v.code === 2 ? v : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(failed(r.stdout)).toEqual([
      expect.stringMatching(/✗ remote-secret +cluster2's API server \(https:\/\/127\.0\.0\.1:\d+\) refuses the credential in Secret istio-remote-secret-cluster2 \(401\)/),
    ]);
    expect(r.stdout).toContain('fix: Run meshctl plan to see what apply would repair, then meshctl apply.');
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    await verifyPasses();
  });

  it('names the remote secret deleted from the primary; apply repairs it', async () => {
    await core('cluster1').deleteNamespacedSecret({ name: 'istio-remote-secret-cluster2', namespace: 'istio-system' });
    const r = await run('verify', '--no-color');
    expect(r.code).toBe(2);
    expect(failed(r.stdout)).toEqual([expect.stringContaining('✗ remote-secret      cluster1 holds no Secret istio-system/istio-remote-secret-cluster2')]);
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    await verifyPasses();
  });

  it("names a remote still pointing at the primary's old gateway address; plan shows the remote's install changed, apply repairs it", async () => {
    // A new address for the primary's east-west gateway, as a cloud load balancer gives when
    // recreated (a documentation address not on this machine: only a status field, nothing is
    // sent to it).
    const moved = `${usableDocRanges().at(-1)}.99`;
    const svc = await core('cluster1').readNamespacedService({ name: 'istio-eastwestgateway', namespace: 'istio-system' });
    const old = svc.status!.loadBalancer!.ingress![0]!.ip!;
    svc.status = { loadBalancer: { ingress: [{ ip: moved }] } };
    await core('cluster1').replaceNamespacedServiceStatus({ name: 'istio-eastwestgateway', namespace: 'istio-system', body: svc });
    const r = await run('verify', '--no-color');
    expect(r.code).toBe(2);
    expect(failed(r.stdout)).toEqual([expect.stringContaining(`✗ remote-address     cluster2's install points at ${old}, but cluster1's east-west gateway is at ${moved}`)]);
    const plan = await run('plan', '--no-color', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('# cluster2/control-plane');
    expect(plan.stdout).toContain(moved);
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    await verifyPasses();
  });

  it('names a cluster whose cacerts chain to another root', async () => {
    const original = await core('cluster2').readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    const now = new Date();
    const profile = { ...ISTIO_CA_PROFILE, keyBits: 2048 };
    const root = await issueRootCa({ now, profile });
    const ca = await issueIntermediateCa({ cluster: 'cluster2', root, now, profile });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const foreign = { ...original, data: { 'root-cert.pem': b64(root.certPem), 'ca-cert.pem': b64(ca.certPem), 'cert-chain.pem': b64(ca.certPem + root.certPem), 'ca-key.pem': b64(ca.key.reveal()) } };
    await core('cluster2').replaceNamespacedSecret({ name: 'cacerts', namespace: 'istio-system', body: foreign });
    try {
      const r = await run('verify', '--no-color');
      expect(r.code).toBe(2);
      expect(failed(r.stdout)).toEqual([expect.stringMatching(/✗ cacerts +cacerts chain to root SHA256:[0-9a-f:]+, not the mesh root SHA256:[0-9a-f:]+ that cluster1 holds/)]);
      // No key material in verify's output, whatever the Secret holds.
      expect(r.stdout).not.toContain('PRIVATE KEY');
    } finally {
      const current = await core('cluster2').readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
      await core('cluster2').replaceNamespacedSecret({
        name: 'cacerts',
        namespace: 'istio-system',
        body: { ...original, metadata: { ...original.metadata, resourceVersion: current.metadata!.resourceVersion } },
      });
    }
    await verifyPasses();
  });

  it('exits 1, saying why, when it cannot run: a context that does not exist', async () => {
    const r = await meshctl(['verify', '--kubeconfig', '/nonexistent/kubeconfig'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/i);
  });
});
