// The guide end to end on real API servers: primary-remote on different networks, applied,
// re-planned, tampered with, interrupted, resumed and destroyed — checked the way a user
// would check it, with the Kubernetes API.
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubeConfig } from '../harness/e2e.js';
import { meshctl, startMeshctl, ensureBuilt } from './support/meshctl.js';
import { snapshot } from './support/snapshot.js';
import { freshMeshDir } from './support/mesh-dir.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const api = (ctx: string) => k8s.KubernetesObjectApi.makeApiClient(kubeConfig(ctx));
const core = (ctx: string) => kubeConfig(ctx).makeApiClient(k8s.CoreV1Api);

async function read(ctx: string, apiVersion: string, kind: string, name: string, namespace?: string): Promise<any> {
  return api(ctx).read({ apiVersion, kind, metadata: namespace ? { name, namespace } : { name } });
}

describe('the guide: primary-remote on different networks', () => {
  let dir: string;
  let before: Record<string, string[]>;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });

  beforeAll(async () => {
    dir = await freshMeshDir({ prefix: 'guide', mesh: example, clusters: ['cluster1', 'cluster2'] });
    before = { cluster1: await snapshot('cluster1'), cluster2: await snapshot('cluster2') };
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a. apply makes every object the guide makes', async () => {
    const r = await run('apply', '--auto-approve');
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);

    // Namespace metadata: network labels, and the remote names its control plane.
    const ns1 = await read('cluster1', 'v1', 'Namespace', 'istio-system');
    const ns2 = await read('cluster2', 'v1', 'Namespace', 'istio-system');
    expect(ns1.metadata.labels['topology.istio.io/network']).toBe('network1');
    expect(ns2.metadata.labels['topology.istio.io/network']).toBe('network2');
    expect(ns2.metadata.annotations['topology.istio.io/controlPlaneClusters']).toBe('cluster1');

    // cacerts in both clusters, chained to one root.
    const ca1 = await read('cluster1', 'v1', 'Secret', 'cacerts', 'istio-system');
    const ca2 = await read('cluster2', 'v1', 'Secret', 'cacerts', 'istio-system');
    expect(Object.keys(ca1.data).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
    expect(ca1.data['root-cert.pem']).toBe(ca2.data['root-cert.pem']);
    expect(ca1.data['ca-cert.pem']).not.toBe(ca2.data['ca-cert.pem']);

    // istiod with external istiod on the primary; the east-west gateways with addresses.
    const istiod = await read('cluster1', 'apps/v1', 'Deployment', 'istiod', 'istio-system');
    const env = istiod.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env).toContainEqual({ name: 'EXTERNAL_ISTIOD', value: 'true' });
    expect(env).toContainEqual({ name: 'CLUSTER_ID', value: 'cluster1' });
    const gw1 = await read('cluster1', 'v1', 'Service', 'istio-eastwestgateway', 'istio-system');
    const gw2 = await read('cluster2', 'v1', 'Service', 'istio-eastwestgateway', 'istio-system');
    const ip1 = gw1.status.loadBalancer.ingress[0].ip as string;
    expect(gw1.spec.type).toBe('LoadBalancer');
    expect(gw1.metadata.labels['topology.istio.io/network']).toBe('network1');
    expect(gw2.metadata.labels['topology.istio.io/network']).toBe('network2');

    // Control plane exposed, services exposed on both (the guide's objects).
    const istiodGw = await read('cluster1', 'networking.istio.io/v1', 'Gateway', 'istiod-gateway', 'istio-system');
    expect(istiodGw.spec.servers.map((s: { port: { number: number } }) => s.port.number).sort()).toEqual([15012, 15017]);
    await read('cluster1', 'networking.istio.io/v1', 'VirtualService', 'istiod-vs', 'istio-system');
    for (const ctx of ['cluster1', 'cluster2']) {
      const xnet = await read(ctx, 'networking.istio.io/v1', 'Gateway', 'cross-network-gateway', 'istio-system');
      expect(xnet.spec.servers[0].port.number).toBe(15443);
    }

    // The remote's install points at the primary's east-west gateway address.
    const slice = await read('cluster2', 'discovery.k8s.io/v1', 'EndpointSlice', 'istiod', 'istio-system');
    expect(slice.endpoints[0].addresses).toEqual([ip1]);
    const injector = await read('cluster2', 'admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
    expect(injector.webhooks[0].clientConfig.service.path).toBe('/inject/cluster/cluster2/net/network2');
    expect(injector.webhooks[0].clientConfig.caBundle, 'istiod patched the caBundle').toBeTruthy();

    // The remote secret, shaped as create-remote-secret makes it, opens cluster2's API.
    const rs = await read('cluster1', 'v1', 'Secret', 'istio-remote-secret-cluster2', 'istio-system');
    expect(rs.metadata.labels['istio/multiCluster']).toBe('true');
    expect(rs.metadata.annotations['networking.istio.io/cluster']).toBe('cluster2');
    const kubeconfigText = Buffer.from(rs.data.cluster2, 'base64').toString();
    const remoteKc = new k8s.KubeConfig();
    remoteKc.loadFromString(kubeconfigText);
    expect(remoteKc.getCurrentContext()).toBe('cluster2');
    const asReader = remoteKc.makeApiClient(k8s.CoreV1Api);
    const pods = await asReader.listNamespacedPod({ namespace: 'istio-system' });
    expect(Array.isArray(pods.items)).toBe(true);

    // State: lineage, serial, no secret values.
    const stateText = readFileSync(join(dir, 'meshctl.state.json'), 'utf8');
    const state = JSON.parse(stateText);
    expect(state.meshID).toBe('mesh1');
    expect(state.serial).toBeGreaterThan(1);
    expect(stateText).not.toContain('PRIVATE KEY');
    expect(stateText).not.toContain(rs.data.cluster2);
    expect(stateText).not.toContain(ca1.data['ca-key.pem']);
    const token = (remoteKc.getCurrentUser() as { token?: string }).token!;
    expect(stateText).not.toContain(token);
    expect(r.stdout).not.toContain(token);
  });

  it('b. plan right after apply: no changes, exit 0', async () => {
    const r = await run('plan', '--detailed-exitcode');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
  });

  it('c. hand edits show as exactly those changes, and apply repairs them', async () => {
    const gw = await read('cluster1', 'networking.istio.io/v1', 'Gateway', 'cross-network-gateway', 'istio-system');
    gw.spec.servers[0].port.number = 15444;
    await api('cluster1').replace(gw);
    await core('cluster2').patchNamespace(
      { name: 'istio-system', body: [{ op: 'remove', path: '/metadata/labels/topology.istio.io~1network' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );

    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    const changed = plan.stdout
      .split('\n')
      .filter((l) => /^\s+[~+-] [A-Z]/.test(l))
      .map((l) => l.trim().replace(/\s+\(.*\)$/, ''));
    expect(changed.sort()).toEqual(['~ Gateway.networking.istio.io istio-system/cross-network-gateway', '~ Namespace istio-system']);
    expect(plan.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
    expect(plan.stdout).toMatch(/-\s+number: 15444/);
    expect(plan.stdout).toMatch(/\+\s+number: 15443/);

    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const ns2 = await read('cluster2', 'v1', 'Namespace', 'istio-system');
    expect(ns2.metadata.labels['topology.istio.io/network']).toBe('network2');
  });

  /** From a destroyed mesh, an apply sent `signal` once it has recorded some objects, not all. */
  async function applySignalledMidway(signal: NodeJS.Signals): Promise<{ code: number | null; out: string }> {
    const down = await run('destroy', '--auto-approve');
    expect(down.code, down.stdout + down.stderr).toBe(0);
    ensureBuilt();
    const child = startMeshctl(['apply', '--auto-approve'], { cwd: dir });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await eventually(
      'the apply to record some objects',
      async () => {
        if (!existsSync(join(dir, 'meshctl.state.json'))) return undefined;
        const s = JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8'));
        return Object.keys(s.objects).length >= 20 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    child.kill(signal);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    return { code, out };
  }

  it('d. an apply killed mid-way resumes and converges without duplicates', async () => {
    // A fresh apply, SIGKILLed once some objects, but not all, are recorded.
    const { code, out } = await applySignalledMidway('SIGKILL');
    expect(code).toBe(null);
    expect(out).not.toContain('Apply complete!');

    // The killed run left its lock file; its process is gone on this host, so the next apply
    // takes the lock over, says whose it was, and resumes.
    expect(existsSync(join(dir, 'meshctl.state.json.lock'))).toBe(true);
    const resumed = await run('apply', '--auto-approve');
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /State lock taken over\s+Took over the state lock of .* \(pid (\d+)\) for "apply", taken \d+s ago \(lock ID [0-9a-f-]{36}, meshctl [^)]+\): process \1 no longer runs on /,
    );
    expect(existsSync(join(dir, 'meshctl.state.json.lock'))).toBe(false);
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    // Each object recorded once, each applied; and one remote secret in the primary.
    const s = JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8'));
    const recs = Object.values(s.objects) as { status: string }[];
    expect(recs.every((o) => o.status === 'applied')).toBe(true);
    const secrets = await core('cluster1').listNamespacedSecret({ namespace: 'istio-system', labelSelector: 'istio/multiCluster=true' });
    expect(secrets.items.map((x) => x.metadata!.name)).toEqual(['istio-remote-secret-cluster2']);
  });

  it('d2. an apply interrupted with Ctrl-C (SIGINT) stops cleanly, releases the lock, exits 130, and resumes', async () => {
    const { code, out } = await applySignalledMidway('SIGINT');
    expect(code, out).toBe(130);
    expect(out).toContain('Interrupt received: no new step starts');
    expect(out).toMatch(/Apply interrupted: \d+ unit\(s\) not finished \(.+\)\. What was sent is saved in .+ and the lock is released; run apply again to resume\./);
    expect(out).not.toContain('Apply complete!');
    // Unlike a kill: no lock left, nothing pending in the state.
    expect(existsSync(join(dir, 'meshctl.state.json.lock'))).toBe(false);
    const mid = JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8'));
    expect((Object.values(mid.objects) as { status: string }[]).filter((o) => o.status !== 'applied')).toEqual([]);
    const resumed = await run('apply', '--auto-approve');
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('State lock taken over');
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('e. destroy leaves each cluster exactly as it was', async () => {
    const r = await run('destroy', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Destroy complete!');
    // What istiod wrote is in the plan the user approved, as planned deletions, in both the
    // primary (its own istiod) and the remote (written through the remote secret).
    for (const ctx of ['cluster1', 'cluster2']) {
      expect(r.stdout).toContain(`# ${ctx}/istiod-leftovers`);
    }
    expect(r.stdout).toContain('- ConfigMap default/istio-ca-root-cert  (written by istiod for this mesh)');
    for (const ctx of ['cluster1', 'cluster2']) {
      await eventually(
        `${ctx} to hold what it held before`,
        async () => {
          const now = await snapshot(ctx);
          return JSON.stringify(now) === JSON.stringify(before[ctx]) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      ).catch(async (e) => {
        expect(await snapshot(ctx)).toEqual(before[ctx]);
        throw e;
      });
    }
    const s = JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8'));
    expect(s.objects).toEqual({});
    expect(s.units).toEqual([]);
  });
});
