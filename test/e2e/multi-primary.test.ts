// Multi-primary on different networks with three clusters: every cluster runs istiod, has
// its own east-west gateway, and holds a remote secret for each of the others.
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnvironment, eventually, kubeConfig } from '../harness/e2e.js';
import { meshctl } from './support/meshctl.js';
import { snapshot } from './support/snapshot.js';
import { freshMeshDir } from './support/mesh-dir.js';

const example = resolve(import.meta.dirname, '../../examples/multi-primary-multi-network/mesh.yaml');
const clusters = ['cluster1', 'cluster2', 'cluster3'] as const;
const api = (ctx: string) => k8s.KubernetesObjectApi.makeApiClient(kubeConfig(ctx));
const read = (ctx: string, apiVersion: string, kind: string, name: string, namespace?: string): Promise<any> =>
  api(ctx).read({ apiVersion, kind, metadata: namespace ? { name, namespace } : { name } });

describe('multi-primary on different networks, 3 clusters', () => {
  let dir: string;
  const before: Record<string, string[]> = {};
  const run = (...args: string[]) => meshctl(args, { cwd: dir });

  beforeAll(async () => {
    expect(e2eEnvironment().contexts.length, 'this test needs 3 local clusters (MESHCTL_E2E_CLUSTERS >= 3)').toBeGreaterThanOrEqual(3);
    dir = await freshMeshDir({ prefix: 'mp', mesh: example, clusters: clusters });
    for (const c of clusters) before[c] = await snapshot(c);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('apply installs three primaries that discover each other', async () => {
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const roots = new Set<string>();
    for (const [i, c] of clusters.entries()) {
      const ns = await read(c, 'v1', 'Namespace', 'istio-system');
      expect(ns.metadata.labels['topology.istio.io/network']).toBe(`network${i + 1}`);
      expect(ns.metadata.annotations?.['topology.istio.io/controlPlaneClusters']).toBeUndefined();
      const istiod = await read(c, 'apps/v1', 'Deployment', 'istiod', 'istio-system');
      const env = istiod.spec.template.spec.containers[0].env as { name: string; value?: string }[];
      expect(env).toContainEqual({ name: 'CLUSTER_ID', value: c });
      const gw = await read(c, 'v1', 'Service', 'istio-eastwestgateway', 'istio-system');
      expect(gw.status.loadBalancer.ingress[0].ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
      await read(c, 'networking.istio.io/v1', 'Gateway', 'cross-network-gateway', 'istio-system');
      const ca = await read(c, 'v1', 'Secret', 'cacerts', 'istio-system');
      roots.add(ca.data['root-cert.pem']);
      // A remote secret for each other cluster, and no istiod-gateway (no remotes here).
      const secrets = await kubeConfig(c).makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: 'istio-system', labelSelector: 'istio/multiCluster=true' });
      const others = clusters.filter((o) => o !== c);
      expect(secrets.items.map((s) => s.metadata!.name).sort()).toEqual(others.map((o) => `istio-remote-secret-${o}`));
      for (const s of secrets.items) {
        const source = s.metadata!.annotations!['networking.istio.io/cluster']!;
        const kc = new k8s.KubeConfig();
        kc.loadFromString(Buffer.from(s.data![source]!, 'base64').toString());
        expect(kc.getCurrentCluster()!.server).toBe(e2eEnvironment().clusters.find((x) => x.context === source)!.server);
        const nsList = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
        expect(nsList.items.length).toBeGreaterThan(0);
      }
      await expect(read(c, 'networking.istio.io/v1', 'Gateway', 'istiod-gateway', 'istio-system')).rejects.toThrow();
    }
    expect(roots.size, 'one shared root CA').toBe(1);
    const state = JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8'));
    expect(state.units.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(['cluster1/remote-secret/cluster2', 'cluster3/remote-secret/cluster1']));
  });

  it('plans no changes afterwards', async () => {
    const r = await run('plan', '--detailed-exitcode');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
  });

  it('verify passes for every cluster and every pair: six remote secrets, each working with its own credential', async () => {
    const r = await run('verify', '--no-color');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const links = r.stdout.split('\n').filter((l) => l.includes('✓ remote-secret'));
    expect(links).toHaveLength(6);
    for (const [holder, target] of [
      ['cluster1', 'cluster2'],
      ['cluster1', 'cluster3'],
      ['cluster2', 'cluster1'],
      ['cluster2', 'cluster3'],
      ['cluster3', 'cluster1'],
      ['cluster3', 'cluster2'],
    ]) {
      expect(r.stdout).toContain(`${holder} → ${target}\n  ✓ remote-secret`);
    }
    // Each primary's own istiod reached its own cluster.
    for (const c of ['cluster1', 'cluster2', 'cluster3']) expect(r.stdout).toContain(`istiod of ${c} reached ${c}`);
  });

  it('destroy leaves all three clusters as they were', async () => {
    const r = await run('destroy', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const c of clusters) {
      await eventually(`${c} back to its snapshot`, async () => (JSON.stringify(await snapshot(c)) === JSON.stringify(before[c]) ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 500,
      }).catch(async (e) => {
        expect(await snapshot(c)).toEqual(before[c]);
        throw e;
      });
    }
  });
});
