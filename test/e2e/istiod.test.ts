// A real istiod (pilot-discovery 1.31, built by tools/bins/build.sh) for each istiod Deployment
// meshctl installs, run by the harness's istiod runner (test/harness/istiod/) the way a pod of
// that Deployment would run it: the guide's primary-remote mesh, where the primary's istiod must
// reach cluster2 through meshctl's remote secret, and a three-primary mesh on one machine.
// Everything it does stays on loopback, which these tests check from the outside (ss).
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { e2eEnvironment, e2eKubectl, eventually, kubeConfig } from '../harness/e2e.js';
import { useIstiodRunner, type IstiodRunnerHandle } from '../harness/istiod/e2e.js';
import { leavesLoopback, socketsOf, type Socket } from '../harness/istiod/sockets.js';
import { istiodLogs, peakRssKiB, type IstiodProcessState } from '../harness/istiod/state.js';
import { kubectl } from '../harness/kubectl.js';
import { get } from '../harness/readiness.js';
import { resetClusters } from '../harness/reset.js';
import { freshMeshDir } from './support/mesh-dir.js';
import { meshctl } from './support/meshctl.js';

const guide = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const multiPrimary = resolve(import.meta.dirname, '../../examples/multi-primary-multi-network/mesh.yaml');
const ISTIOD_SA = 'system:serviceaccount:istio-system:istiod';

interface ClusterzEntry {
  id: string;
  secretName: string;
  syncStatus: string;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await get(url);
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body) as T;
}

/** /proc/<pid>/environ as a map. */
function environOf(pid: number): Record<string, string> {
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    raw
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

const cmdlineOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const jwtPayload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;

/** Samples the sockets of every running istiod twice a second and keeps what leaves loopback. */
class SocketSampler {
  readonly violations: Socket[] = [];
  readonly seen = new Map<string, Socket>();
  samples = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly runner: () => IstiodRunnerHandle | undefined) {}
  start(): void {
    this.timer = setInterval(() => void this.sample(), 500);
  }
  async sample(): Promise<void> {
    const running = this.runner()
      ?.state()
      .processes.filter((p) => p.status === 'starting' || p.status === 'ready');
    if (!running?.length) return;
    const sockets = await socketsOf(running.map((p) => p.pid)).catch(() => []);
    this.samples++;
    for (const s of sockets) {
      this.seen.set(`${s.pid} ${s.protocol} ${s.local} ${s.peer}`, s);
      if (leavesLoopback(s)) this.violations.push(s);
    }
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

describe('real istiod (pilot-discovery) in the local clusters', () => {
  let runner: IstiodRunnerHandle | undefined;
  let since = '';
  /** The processes started since this file began (the runner is the whole run's). */
  const ours = () => runner!.state().processes.filter((p) => p.startedAt >= since);
  const sampler = new SocketSampler(() => runner);
  const ready = (cluster: string) =>
    eventually(`a ready istiod in ${cluster}`, async () => runner!.state().processes.find((p) => p.cluster === cluster && p.deployment === 'istiod' && p.status === 'ready'), { timeoutMs: 90_000 });

  /** Removes the mesh and what its istiods wrote outside istio-system, once they are stopped. */
  async function cleanUp(clusters: readonly string[]): Promise<void> {
    await resetClusters(e2eKubectl(), clusters);
    await eventually('istiods stopped', async () => (runner!.state().processes.some((p) => clusters.includes(p.cluster) && (p.status === 'starting' || p.status === 'ready')) ? undefined : true), {
      timeoutMs: 60_000,
    });
    for (const ctx of clusters) {
      for (const name of ['istio-ca-root-cert', 'istio-ca-crl']) {
        await kubectl(e2eKubectl(), ctx, ['delete', 'configmap', '--all-namespaces', `--field-selector=metadata.name=${name}`, '--ignore-not-found']);
      }
    }
  }

  beforeAll(async () => {
    since = new Date().toISOString();
    runner = await useIstiodRunner();
    sampler.start();
  });
  // With the run's runner (the default), a failing test prints its logs (istiod/logs-on-failure.ts);
  // with one of this file's own (MESHCTL_ISTIOD=off), this does.
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      if (runner?.own) console.error(`istiod logs (runner state ${runner.stateFile}):\n${istiodLogs(runner.state())}`);
    });
  });
  afterAll(async () => {
    sampler.stop();
    await runner?.stop();
  });

  describe('the guide: primary-remote on different networks', () => {
    let dir: string;
    let istiod: IstiodProcessState;

    beforeAll(async () => {
      dir = await freshMeshDir({ prefix: 'istiod', mesh: guide, clusters: ['cluster1', 'cluster2'] });
    });
    afterAll(async () => {
      await cleanUp(['cluster1', 'cluster2']);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('apply starts one real istiod, for the primary, from its Deployment', async () => {
      const r = await meshctl(['apply', '--auto-approve'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      istiod = await ready('cluster1');
      // The remote has no istiod Deployment (its istiod is cluster1's, reached through the east-west gateway).
      expect(runner!.state().processes.filter((p) => p.cluster === 'cluster2')).toEqual([]);

      // The container's args, with every listener on its own loopback port.
      const cmdline = cmdlineOf(istiod.pid);
      expect(cmdline.slice(cmdline.indexOf('discovery'))).toEqual([
        'discovery',
        '--log_output_level=default:info',
        '--domain',
        'cluster.local',
        '--keepaliveMaxServerConnectionAge',
        '30m',
        `--httpAddr=127.0.0.1:${istiod.ports.http}`,
        `--httpsAddr=127.0.0.1:${istiod.ports.https}`,
        `--grpcAddr=127.0.0.1:${istiod.ports.grpc}`,
        `--secureGRPCAddr=127.0.0.1:${istiod.ports.secureGrpc}`,
        `--monitoringAddr=127.0.0.1:${istiod.ports.monitoring}`,
        `--ctrlz_port=${istiod.ports.ctrlz}`,
        '--ctrlz_address=127.0.0.1',
      ]);
      // The container's env, fieldRef and resourceFieldRef values filled as the kubelet fills them.
      const env = environOf(istiod.pid);
      expect(env).toMatchObject({
        CLUSTER_ID: 'cluster1',
        REVISION: 'default',
        EXTERNAL_ISTIOD: 'true',
        PILOT_CERT_PROVIDER: 'istiod',
        POD_NAME: istiod.podName,
        POD_NAMESPACE: 'istio-system',
        SERVICE_ACCOUNT: 'istiod',
        GOMAXPROCS: String(availableParallelism()),
      });
      expect(istiod.podName).toMatch(/^istiod-[a-z0-9]+-[a-z0-9]{5}$/);
      // The cacerts Secret's files where its volume mount puts them (./etc/cacerts is ROOT_CA_DIR's default).
      const cacerts = await kubeConfig('cluster1').makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
      for (const [file, value] of Object.entries(cacerts.data ?? {})) {
        expect(readFileSync(`${istiod.root}/etc/cacerts/${file}`, 'utf8'), file).toBe(Buffer.from(value, 'base64').toString('utf8'));
      }
      expect(readFileSync(istiod.logFile, 'utf8')).toContain('Use local CA certificate');
    });

    it('reports cluster2 as a synced remote on its loopback debug port (/debug/clusterz)', async () => {
      const url = `http://127.0.0.1:${istiod.ports.monitoring}/debug/clusterz`;
      const clusters = await eventually(
        'cluster2 synced in /debug/clusterz',
        async () => {
          const list = await getJson<ClusterzEntry[]>(url);
          return list.some((c) => c.id === 'cluster2' && c.syncStatus === 'synced') ? list : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(clusters).toEqual(
        expect.arrayContaining([
          { id: 'cluster1', secretName: '', syncStatus: 'synced' },
          { id: 'cluster2', secretName: 'istio-system/istio-remote-secret-cluster2', syncStatus: 'synced' },
        ]),
      );
      // The http port serves the same debug handlers.
      expect(await getJson<ClusterzEntry[]>(`http://127.0.0.1:${istiod.ports.http}/debug/clusterz`)).toEqual(clusters);
      // And what it does with that access in cluster2 (nothing else writes these; the simulator
      // no longer imitates istiod): it puts back the injection webhook's caBundle and a root-cert ConfigMap.
      const root = readFileSync(`${istiod.root}/etc/cacerts/root-cert.pem`, 'utf8');
      const admission = kubeConfig('cluster2').makeApiClient(k8s.AdmissionregistrationV1Api);
      const core2 = kubeConfig('cluster2').makeApiClient(k8s.CoreV1Api);
      const injector = await admission.readMutatingWebhookConfiguration({ name: 'istio-sidecar-injector' });
      await admission.patchMutatingWebhookConfiguration(
        { name: 'istio-sidecar-injector', body: (injector.webhooks ?? []).map((_, i) => ({ op: 'remove', path: `/webhooks/${i}/clientConfig/caBundle` })) },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      );
      await core2.deleteNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace: 'default' });
      await eventually('cluster2 injector caBundle, from istiod', async () => {
        const webhooks = (await admission.readMutatingWebhookConfiguration({ name: 'istio-sidecar-injector' })).webhooks ?? [];
        return webhooks.every((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8') === root) ? true : undefined;
      });
      const cm = await eventually('cluster2 default/istio-ca-root-cert, from istiod', async () => {
        const got = await core2.readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace: 'default' });
        return got.data?.['root-cert.pem'] === root ? got : undefined;
      });
      // client-go names the field manager after istiod's user agent.
      expect(cm.metadata?.managedFields?.map((f) => f.manager)).toEqual(['pilot-discovery']);
      // Its leader election in the remote (the namespace controller's lock, a ConfigMap in 1.31), as the pod it stands for.
      const holder = await eventually('namespace controller lock in cluster2', async () => {
        const cm = await kubeConfig('cluster2').makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ name: 'istio-namespace-controller-election', namespace: 'istio-system' });
        return (JSON.parse(cm.metadata?.annotations?.['control-plane.alpha.kubernetes.io/leader'] ?? '{}') as { holderIdentity?: string }).holderIdentity;
      });
      expect(holder).toBe(istiod.podName);
    });

    it('authenticated with a TokenRequest token of the istiod ServiceAccount, never an admin credential', async () => {
      const env = environOf(istiod.pid);
      const admin = e2eEnvironment().kubeconfigPath;
      // Its only kubeconfig is the runner's in-cluster stand-in; nothing points at the admin kubeconfig.
      expect(env.KUBECONFIG).toBe(istiod.kubeconfig);
      expect(Object.values(env).filter((v) => v.includes(admin))).toEqual([]);
      expect(cmdlineOf(istiod.pid).filter((a) => a.includes(admin) || a.startsWith('--kubeconfig'))).toEqual([]);
      const kc = parse(readFileSync(istiod.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority': string } }[]; users: { user: Record<string, string> }[] };
      expect(kc.users).toHaveLength(1);
      expect(Object.keys(kc.users[0]!.user)).toEqual(['tokenFile']);
      expect(new URL(kc.clusters[0]!.cluster.server).hostname).toBe('127.0.0.1');

      // The token is a bound TokenRequest token for istio-system/istiod, not a legacy Secret token.
      const token = readFileSync(kc.users[0]!.user.tokenFile!, 'utf8');
      const claims = jwtPayload(token);
      expect(claims.sub).toBe(ISTIOD_SA);
      expect(claims['kubernetes.io']?.serviceaccount?.name).toBe('istiod');
      expect(claims['kubernetes.io/serviceaccount/secret.name']).toBeUndefined();
      expect(claims.exp).toBeGreaterThan(Date.now() / 1000);

      // The API server says who that is, and that it is not an admin.
      const asIstiod = new k8s.KubeConfig();
      asIstiod.loadFromOptions({
        clusters: [{ name: 'c', server: kc.clusters[0]!.cluster.server, caFile: kc.clusters[0]!.cluster['certificate-authority'] }],
        users: [{ name: 'istiod', token }],
        contexts: [{ name: 'c', cluster: 'c', user: 'istiod' }],
        currentContext: 'c',
      });
      const review = await asIstiod.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
      expect(review.status?.userInfo?.username).toBe(ISTIOD_SA);
      expect(review.status?.userInfo?.groups).not.toContain('system:masters');
      const can = async (verb: string, resource: string, group = '') =>
        (await asIstiod.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb, resource, group } } } })).status?.allowed;
      expect(await can('delete', 'namespaces')).toBe(false);
      expect(await can('create', 'clusterrolebindings', 'rbac.authorization.k8s.io')).toBe(false);
      expect(await can('list', 'secrets')).toBe(true); // what istiod's own ClusterRole grants it

      // What it wrote with that identity in its own cluster: leader election locks held as its pod.
      const leases = (await kubeConfig('cluster1').makeApiClient(k8s.CoordinationV1Api).listNamespacedLease({ namespace: 'istio-system' })).items;
      expect(leases.map((l) => l.spec?.holderIdentity)).toContain(istiod.podName);
      expect(readFileSync(istiod.logFile, 'utf8')).not.toMatch(/Unauthorized|is forbidden/);
    });

    it('restarts istiod when the pod template changes, and stops it when the Deployment scales to 0', async () => {
      const apps = kubeConfig('cluster1').makeApiClient(k8s.AppsV1Api);
      const patch = (body: object) => apps.patchNamespacedDeployment({ name: 'istiod', namespace: 'istio-system', body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await patch({ spec: { template: { metadata: { annotations: { 'meshctl.test/restart': '1' } } } } });
      const next = await eventually(
        'istiod restarted from the new template',
        async () => runner!.state().processes.find((p) => p.cluster === 'cluster1' && p.status === 'ready' && p.podName !== istiod.podName),
        { timeoutMs: 90_000 },
      );
      expect(runner!.state().processes.find((p) => p.podName === istiod.podName)?.status).toBe('stopped');
      expect(next.templateHash).not.toBe(istiod.templateHash);
      expect(environOf(next.pid).POD_NAME).toBe(next.podName);
      await patch({ spec: { replicas: 0 } });
      await eventually('istiod stopped after scaling to 0', async () => (runner!.state().processes.find((p) => p.podName === next.podName)?.status === 'stopped' ? true : undefined), {
        timeoutMs: 60_000,
      });
      expect(runner!.state().processes.filter((p) => p.cluster === 'cluster1' && (p.status === 'ready' || p.status === 'starting'))).toEqual([]);
    });
  });

  describe('multi-primary on different networks: three istiods on one machine', () => {
    const clusters = ['cluster1', 'cluster2', 'cluster3'] as const;
    let dir: string;

    beforeAll(async () => {
      expect(e2eEnvironment().contexts.length, 'this test needs 3 local clusters (MESHCTL_E2E_CLUSTERS >= 3)').toBeGreaterThanOrEqual(3);
      dir = await freshMeshDir({ prefix: 'istiod-mp', mesh: multiPrimary, clusters });
    });
    afterAll(async () => {
      await cleanUp(clusters);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('each primary runs its own istiod and reports the two others as synced remotes', async () => {
      const r = await meshctl(['apply', '--auto-approve'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const istiods = await Promise.all(clusters.map((c) => ready(c)));
      const ports = istiods.flatMap((p) => Object.values(p.ports));
      expect(new Set(ports).size, 'every listener of every istiod on its own port').toBe(ports.length);
      for (const p of istiods) {
        const others = clusters.filter((c) => c !== p.cluster);
        const list = await eventually(
          `${p.cluster}: the two other clusters synced`,
          async () => {
            const got = await getJson<ClusterzEntry[]>(`http://127.0.0.1:${p.ports.monitoring}/debug/clusterz`);
            return others.every((o) => got.some((c) => c.id === o && c.syncStatus === 'synced')) ? got : undefined;
          },
          { timeoutMs: 60_000 },
        );
        expect(list.map((c) => c.id).sort()).toEqual([...clusters]);
      }
    });
  });

  it('sends nothing off loopback: every socket of every istiod is loopback at both ends, nothing reached the egress trap', async () => {
    await sampler.sample();
    expect(sampler.samples).toBeGreaterThan(10);
    expect(sampler.violations).toEqual([]);
    expect(runner!.state().egressAttempts).toEqual([]);
    const seen = [...sampler.seen.values()];
    const listeners = new Set(seen.filter((s) => s.state === 'LISTEN').map((s) => s.local));
    // Connections istiod opened (not accepted on one of its listeners): their peers.
    const dialed = [...new Set(seen.filter((s) => s.state !== 'LISTEN' && !listeners.has(s.local)).map((s) => `${s.protocol} ${s.peer}`))].sort();
    const apiServers = new Map(e2eEnvironment().clusters.map((c) => [new URL(c.server).host, c.context]));
    console.log(
      `istiod sockets in ${sampler.samples} samples of ss -tunap: ${listeners.size} listeners, on ${[...new Set([...listeners].map((l) => l.replace(/:\d+$/, '')))].join(', ')}; ` +
        `dialed: ${dialed.map((d) => `${d} (${apiServers.get(d.split(' ')[1]!) ?? '?'})`).join(', ')}`,
    );
    // What it dials are the local API servers (its own and the remotes'), nothing else.
    expect(dialed.filter((d) => !apiServers.has(d.split(' ')[1]!))).toEqual([]);
  });

  it('records start-up time (process start to /ready) and peak RSS of every istiod', () => {
    const processes = ours();
    expect(processes.length, 'guide: istiod and its restart; multi-primary: three').toBeGreaterThanOrEqual(5);
    const rows = processes.map((p) => {
      const rss = p.peakRssKiB ?? peakRssKiB(p.pid);
      return `${p.cluster.padEnd(9)} ${p.podName.padEnd(28)} start-up ${String(p.startupMs ?? '-').padStart(6)} ms   peak RSS ${rss ? `${(rss / 1024).toFixed(0)} MiB` : '-'}`;
    });
    console.log(`istiod processes of this file:\n${rows.join('\n')}`);
    for (const p of processes) {
      expect(p.startupMs, `${p.podName} became ready`).toBeGreaterThan(0);
      expect(p.peakRssKiB, `${p.podName} peak RSS recorded`).toBeGreaterThan(0);
    }
  });
});
