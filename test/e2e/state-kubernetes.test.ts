// A team on the Kubernetes state backend, on real API servers: two working directories (two
// laptops, two CI runners) share one mesh's state and lock in cluster2's meshctl-system
// namespace. Checked as a user would: exit codes, what each run printed, the Secrets and the
// Lease in the namespace, the objects in the mesh's cluster.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/kube/connect.js';
import { KubernetesStateBackend, stateObjectName } from '../../src/state/kubernetes.js';
import { emptyState, type MeshState } from '../../src/state/state.js';
import { e2eEnvironment, e2eKubectl, eventually } from '../harness/e2e.js';
import { kubectl } from '../harness/kubectl.js';
import { resetClusters } from '../harness/reset.js';
import { ensureBuilt, meshctl, startMeshctl, type RunResult } from './support/meshctl.js';

const NS = 'meshctl-system';
const MESH = 'team-mesh';
const rbac = resolve(import.meta.dirname, '../../examples/kubernetes-state/rbac.yaml');

/** One primary (cluster1); the state lives in another cluster (cluster2), as a management cluster would hold it. */
const meshYaml = (state: string) => `apiVersion: meshctl.io/v1alpha1
kind: Mesh
meshID: ${MESH}
istio:
  version: "1.31.0"
networks: [network1]
trust:
  none: {}
state:
  kubernetes:
${state}
clusters:
  cluster1: { context: cluster1, role: primary, network: network1 }
`;
const sharedState = `    context: cluster2
    namespace: ${NS}
    leaseDurationSeconds: 10`;

const k = () => e2eKubectl();
const onStateCluster = (args: string[]) => kubectl(k(), 'cluster2', args);

/** The state as stored, read with kubectl and gunzip (not with meshctl's own reader). */
async function storedState(): Promise<MeshState | null> {
  const out = await onStateCluster(['get', 'secrets', '-n', NS, '-l', `meshctl.io/state=${MESH}`, '-o', 'json']);
  const head = (JSON.parse(out) as { items: Array<{ data?: Record<string, string>; metadata: { annotations: Record<string, string> } }> }).items[0];
  if (!head) return null;
  const chunks = JSON.parse(head.metadata.annotations['meshctl.io/chunks']!) as string[];
  expect(chunks).toEqual([]); // one primary's state fits in the head
  return JSON.parse(gunzipSync(Buffer.from(head.data!['state.json.gz']!, 'base64')).toString('utf8')) as MeshState;
}

async function leases(): Promise<string[]> {
  const out = await onStateCluster(['get', 'leases', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}']);
  return out.split(/\s+/).filter(Boolean);
}

function collect(child: ReturnType<typeof startMeshctl>): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const applied = (s: MeshState) => Object.values(s.objects).filter((o) => o.status === 'applied').length;

describe('the Kubernetes state backend, shared by two working directories', () => {
  let a: string;
  let b: string;

  beforeAll(async () => {
    ensureBuilt();
    await resetClusters(k(), ['cluster1']);
    await onStateCluster(['delete', 'namespace', NS, '--ignore-not-found', '--timeout=120s']);
    await onStateCluster(['create', 'namespace', NS]);
    a = mkdtempSync(join(tmpdir(), 'meshctl-team-a-'));
    b = mkdtempSync(join(tmpdir(), 'meshctl-team-b-'));
    for (const dir of [a, b]) writeFileSync(join(dir, 'mesh.yaml'), meshYaml(sharedState));
  });
  afterAll(async () => {
    for (const dir of [a, b]) if (dir) rmSync(dir, { recursive: true, force: true });
    await onStateCluster(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  });

  it('of two applies started together, one applies and the other is refused, naming the holder', async () => {
    const [ra, rb] = await Promise.all([a, b].map((cwd) => collect(startMeshctl(['apply', '--auto-approve', '--verify=false'], { cwd }))));
    const results = [ra!, rb!];
    const winner = results.find((r) => r.code === 0);
    const loser = results.find((r) => r.code !== 0);
    expect(winner, results.map((r) => r.stdout + r.stderr).join('\n----\n')).toBeDefined();
    expect(loser, 'both applies succeeded: the lock let two runs in').toBeDefined();
    expect(loser!.code).toBe(1);
    expect(loser!.stderr).toMatch(
      /Error acquiring the state lock\s+The state in namespace "meshctl-system" \(context "cluster2", server https:\/\/127\.0\.0\.1:\d+\) is locked by \S+ \(pid \d+\) for "apply"/,
    );
    expect(loser!.stderr).toMatch(/meshctl force-unlock [0-9a-f-]{36}/);
    expect(loser!.stdout).not.toMatch(/Apply complete/);
    expect(winner!.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
    // The lock is gone with the run; the loser's directory sees the winner's work.
    expect(await leases()).toEqual([]);
    const plan = await meshctl(['plan', '--detailed-exitcode'], { cwd: loser === ra ? a : b });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
  });

  it('with --lock-timeout the second waits, then plans from the state the first wrote: nothing is applied twice', async () => {
    const destroyed = await meshctl(['destroy', '--auto-approve'], { cwd: a });
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0);
    const [ra, rb] = await Promise.all([a, b].map((cwd) => collect(startMeshctl(['apply', '--auto-approve', '--verify=false', '--lock-timeout', '5m'], { cwd }))));
    for (const r of [ra!, rb!]) expect(r.code, r.stdout + r.stderr).toBe(0);
    const waited = [ra!, rb!].filter((r) => r.stdout.includes('Waiting up to 300s for the state lock held by'));
    expect(waited).toHaveLength(1);
    // It planned after the winner wrote: no changes left, and it wrote nothing.
    expect(waited[0]!.stdout).toContain('No changes.');
    expect(waited[0]!.stdout).not.toMatch(/Apply complete/);
    const state = (await storedState())!;
    expect(applied(state)).toBe(Object.keys(state.objects).length);
    for (const cwd of [a, b]) expect((await meshctl(['plan', '--detailed-exitcode'], { cwd })).code).toBe(0);
  });

  it('an apply killed with SIGKILL leaves a lease that runs out; the next apply takes it over and converges', async () => {
    expect((await meshctl(['destroy', '--auto-approve'], { cwd: a })).code).toBe(0);
    const serialBefore = (await storedState())!.serial;
    const killed = startMeshctl(['apply', '--auto-approve', '--verify=false'], { cwd: a });
    const done = collect(killed);
    await eventually('the apply to hold the lock and record progress', async () => ((await leases()).length === 1 && (await storedState())!.serial >= serialBefore + 2 ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    killed.kill('SIGKILL');
    const killedRun = await done;
    const killedAt = Date.now();
    expect(killedRun.stdout).not.toMatch(/Apply complete/);
    expect(await leases()).toEqual([`meshctl-lock-${MESH}`]);

    const next = startMeshctl(['apply', '--auto-approve', '--verify=false', '--lock-timeout', '60s'], { cwd: b });
    let tookOverAfterMs: number | undefined;
    next.stderr!.on('data', (d: Buffer) => {
      if (tookOverAfterMs === undefined && d.toString().includes('State lock taken over')) tookOverAfterMs = Date.now() - killedAt;
    });
    const r = await collect(next);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Waiting up to 60s for the state lock held by \S+ \(pid \d+, "apply"\)/);
    expect(r.stderr).toMatch(
      /Took over the state lock of \S+ \(pid \d+\) for "apply", taken \d+s ago \(lock ID [0-9a-f-]{36}, meshctl [^)]+\): its lease \(10s\) expired, it stopped renewing \d+s ago\./,
    );
    // Within the lease duration (10 s, renewed every ~3.3 s) plus the waiter's poll.
    expect(tookOverAfterMs).toBeDefined();
    expect(tookOverAfterMs!).toBeLessThan(15_000);
    const state = (await storedState())!;
    expect(Object.values(state.objects).filter((o) => o.status !== 'applied')).toEqual([]);
    expect(state.units.every((u) => u.status === 'applied')).toBe(true);
    const plan = await meshctl(['plan', '--detailed-exitcode'], { cwd: a });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(await leases()).toEqual([]);
  });

  it('a state larger than one Secret round-trips through the API server, and old chunks are removed', async () => {
    const env = e2eEnvironment();
    const client = connect({ cluster: 'state', context: 'cluster2', kubeconfig: env.kubeconfigPath, env: {} });
    const backend = (meshID: string) => new KubernetesStateBackend({ caller: { describe: client.describe, call: (m, p, o) => client.call(m, p, o) }, namespace: NS, meshID, leaseDurationSeconds: 10 });
    try {
      // ~3 MiB of records that gzip cannot shrink much: several 768 KiB chunks.
      const objects: Record<string, MeshState['objects'][string]> = {};
      for (let i = 0; i < 1500; i++) {
        const noise = randomBytes(1100).toString('base64');
        objects[`cluster1/ConfigMap/istio-system/cm-${i}`] = {
          unit: 'cluster1/control-plane',
          cluster: 'cluster1',
          ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: `cm-${i}` },
          status: 'applied',
          existedBefore: false,
          applied: { data: { noise } },
        };
      }
      const big: MeshState = { ...emptyState({ lineage: 'big-lineage', meshID: 'big-mesh', meshctlVersion: '0.1.0' }), objects };
      const written = await backend('big-mesh').write(big);
      const chunkNames = async () =>
        (await onStateCluster(['get', 'secrets', '-n', NS, '-l', 'meshctl.io/state-chunk=big-mesh', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();
      const first = await chunkNames();
      expect(first.length).toBeGreaterThanOrEqual(3);
      expect(await backend('big-mesh').read()).toEqual(written);
      const again = await backend('big-mesh').write(written);
      const second = await chunkNames();
      expect(second.filter((n) => first.includes(n))).toEqual([]);
      expect(await backend('big-mesh').read()).toEqual(again);
    } finally {
      await onStateCluster(['delete', 'secrets', '-n', NS, '-l', 'meshctl.io/state-chunk=big-mesh', '--ignore-not-found']);
      await onStateCluster(['delete', 'secret', '-n', NS, stateObjectName('big-mesh'), '--ignore-not-found']);
      client.close();
    }
  });

  it('a ServiceAccount holding only the documented Role plans and applies; without it, the missing permission is named', async () => {
    await onStateCluster(['create', 'serviceaccount', 'meshctl-ci', '-n', NS]);
    await onStateCluster(['apply', '-f', rbac]);
    const token = (await onStateCluster(['create', 'token', 'meshctl-ci', '-n', NS, '--duration=10m'])).trim();
    const env = e2eEnvironment();
    const shared = parse(readFileSync(env.kubeconfigPath, 'utf8')) as { clusters: Array<{ name: string; cluster: Record<string, string> }> };
    const cluster2 = shared.clusters.find((c) => c.name === 'cluster2')!.cluster;
    const ci = join(b, 'ci.kubeconfig');
    writeFileSync(
      ci,
      `apiVersion: v1\nkind: Config\nclusters: [{ name: state, cluster: { server: "${cluster2['server']}", certificate-authority-data: ${cluster2['certificate-authority-data']} } }]\nusers: [{ name: ci, user: { token: ${token} } }]\ncontexts: [{ name: ci, context: { cluster: state, user: ci } }]\n`,
      { mode: 0o600 },
    );
    writeFileSync(join(b, 'mesh.yaml'), meshYaml(`    context: ci\n    kubeconfig: ./ci.kubeconfig\n    namespace: ${NS}\n    leaseDurationSeconds: 10`));

    const plan = await meshctl(['plan', '--detailed-exitcode'], { cwd: b });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    // Apply takes and releases the Lease as the ServiceAccount.
    const apply = await meshctl(['apply', '--auto-approve', '--verify=false'], { cwd: b });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stderr).not.toContain(token);
    expect(apply.stdout).not.toContain(token);

    await onStateCluster(['delete', 'rolebinding', 'meshctl-state', '-n', NS]);
    const refused = await meshctl(['plan'], { cwd: b });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/State backend permission missing\s+meshctl may not get secrets \(meshctl-state-team-mesh\) in namespace "meshctl-system" \(context "ci"/);
    expect(refused.stderr).not.toMatch(/internal error/i);
    expect(refused.stderr).not.toContain(token);
  });
});
