// Sanity of the local test clusters themselves: the real servers do what meshctl relies on, and
// the simulator (test/harness/simulator.ts) does exactly and only what it promises.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { leavesLoopback, socketsOf } from '../harness/istiod/sockets.js';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionregistrationV1Api, ApiextensionsV1Api, AppsV1Api, AuthenticationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { startClusterSet, type ClusterSet } from '../harness/cluster-set.js';
import { kubeConfigForContext } from '../harness/environment.js';
import { startSimulator, type Simulator } from '../harness/simulator.js';
import { SIMULATOR_OFF_ANNOTATION, binPath, e2eEnvironment, eventually, isDeploymentAvailable, kubeConfig, uniqueName } from '../harness/e2e.js';

const env = e2eEnvironment();
const [c1, c2] = env.contexts as [string, string];
const core = (ctx: string) => kubeConfig(ctx).makeApiClient(CoreV1Api);
const apps = (ctx: string) => kubeConfig(ctx).makeApiClient(AppsV1Api);
const code = (err: unknown) => (err as { code?: number }).code;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** Runs `fn`, returning the HTTP status of the ApiException it throws (or 'no error'). */
async function statusOf(fn: () => Promise<unknown>): Promise<number | 'no error'> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return code(err) ?? -1;
  }
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function namespace(ctx: string, options: { annotations?: Record<string, string> } = {}): Promise<string> {
  const name = uniqueName('harness');
  await core(ctx).createNamespace({ body: { metadata: { name, annotations: options.annotations } } });
  cleanups.push(() => core(ctx).deleteNamespace({ name }));
  return name;
}

function tokenKubeConfig(options: { server: string; caPem: string; token: string }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: options.server, caData: b64(options.caPem) }],
    users: [{ name: 'u', token: options.token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

/**
 * Returns once the simulator has completed a full pass that began after this call. Two
 * LoadBalancer Services, the second created once the first has its address: the pass that
 * served the first listed everything after the call, and it had finished before the pass that
 * served the second. So a "not done" observed afterwards is a fact about a switch, not timing.
 */
async function simulatorPassesDone(api: CoreV1Api, ns: string): Promise<void> {
  for (const name of [uniqueName('probe'), uniqueName('probe')]) {
    await api.createNamespacedService({ namespace: ns, body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
    await eventually(`${name} address`, async () => (await api.readNamespacedService({ name, namespace: ns })).status?.loadBalancer?.ingress?.[0]?.ip);
  }
}

const deployment = (name: string, replicas: number): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }] } },
  },
});

describe('local clusters: real controllers', () => {
  it('fills a service-account token Secret through kube-controller-manager', async () => {
    const ns = await namespace(c1);
    await core(c1).createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'reader' } } });
    await core(c1).createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'reader-token', annotations: { 'kubernetes.io/service-account.name': 'reader' } }, type: 'kubernetes.io/service-account-token' },
    });
    const data = await eventually('token Secret filled', async () => {
      const s = await core(c1).readNamespacedSecret({ name: 'reader-token', namespace: ns });
      return s.data?.token ? s.data : undefined;
    });
    expect(unb64(data['namespace'])).toBe(ns);
    const cluster = kubeConfig(c1).getCurrentCluster()!;
    expect(unb64(data['ca.crt'])).toBe(unb64(cluster.caData));
    const review = await tokenKubeConfig({ server: cluster.server, caPem: unb64(data['ca.crt']), token: unb64(data.token) })
      .makeApiClient(AuthenticationV1Api)
      .createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${ns}:reader`);
  });

  it('issues tokens through TokenRequest, and another cluster rejects them with 401', async () => {
    const ns = await namespace(c1);
    await core(c1).createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'sa' } } });
    const tr = await core(c1).createNamespacedServiceAccountToken({ name: 'sa', namespace: ns, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const token = tr.status?.token ?? '';
    expect(token.split('.')).toHaveLength(3);
    const on = (ctx: string) => {
      const cluster = kubeConfig(ctx).getCurrentCluster()!;
      return tokenKubeConfig({ server: cluster.server, caPem: unb64(cluster.caData), token }).makeApiClient(AuthenticationV1Api);
    };
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    const own = await on(c1).createSelfSubjectReview({ body });
    expect(own.status?.userInfo?.username).toBe(`system:serviceaccount:${ns}:sa`);
    expect(await statusOf(() => on(c2).createSelfSubjectReview({ body }))).toBe(401);
  });

  it('deletes a namespace with content completely (namespace + garbage-collector controllers)', async () => {
    const ns = uniqueName('harness-del');
    await core(c1).createNamespace({ body: { metadata: { name: ns } } });
    await core(c1).createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm' }, data: { a: 'b' } } });
    await core(c1).createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's' }, stringData: { a: 'b' } } });
    await apps(c1).createNamespacedDeployment({ namespace: ns, body: deployment('web', 1) });
    await eventually('ReplicaSet for web', async () => ((await apps(c1).listNamespacedReplicaSet({ namespace: ns })).items.length ? true : undefined));
    await core(c1).deleteNamespace({ name: ns });
    const gone = await eventually('namespace gone', async () => ((await statusOf(() => core(c1).readNamespace({ name: ns }))) === 404 ? true : undefined), { timeoutMs: 60_000 });
    expect(gone).toBe(true);
  });

  it('registers a CRD (Established) and round-trips a custom resource', async () => {
    const ext = kubeConfig(c2).makeApiClient(ApiextensionsV1Api);
    const group = `${uniqueName('h')}.e2e.meshctl.test`;
    const crdName = `widgets.${group}`;
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: crdName },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' }, colour: { type: 'string' } } } } } },
            },
          ],
        },
      },
    });
    cleanups.push(() => ext.deleteCustomResourceDefinition({ name: crdName }));
    await eventually('CRD Established', async () => {
      const crd = await ext.readCustomResourceDefinition({ name: crdName });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
    const ns = await namespace(c2);
    const custom = kubeConfig(c2).makeApiClient(CustomObjectsApi);
    const ref = { group, version: 'v1', namespace: ns, plural: 'widgets' };
    // Discovery of a fresh CRD can lag Established by a moment; retry the first create.
    await eventually('custom resource created', () =>
      custom.createNamespacedCustomObject({ ...ref, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3, colour: 'teal' } } }),
    );
    const back = (await custom.getNamespacedCustomObject({ ...ref, name: 'w1' })) as { spec: unknown };
    expect(back.spec).toEqual({ size: 3, colour: 'teal' });
  });

  it('calls an admission webhook that names a Service through the loopback egress trap, never off the machine', async () => {
    // As Istio's validating webhook (istiod.istio-system.svc) is called on every Istio object:
    // the Service's ClusterIP is not on this machine, so the API server must not dial it.
    const ns = await namespace(c1);
    const core = kubeConfig(c1).makeApiClient(CoreV1Api);
    const svc = await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'hook' }, spec: { ports: [{ port: 443 }] } } });
    const adm = kubeConfig(c1).makeApiClient(AdmissionregistrationV1Api);
    const name = uniqueName('egress-hook');
    await adm.createValidatingWebhookConfiguration({
      body: {
        metadata: { name },
        webhooks: [
          {
            name: 'egress.e2e.meshctl.test',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Ignore',
            timeoutSeconds: 5,
            clientConfig: { service: { name: 'hook', namespace: ns, port: 443 } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
            rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          },
        ],
      },
    });
    cleanups.push(() => adm.deleteValidatingWebhookConfiguration({ name }));
    const pids = e2eEnvironment().clusters.find((c) => c.context === c1)!.pids;
    // The webhook configuration reaches the API server's cache within a moment; create until
    // the trap saw the call (failurePolicy Ignore: every create succeeds either way).
    await eventually('the webhook call refused by the egress trap', async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'cm-' } } });
      const log = readFileSync(e2eEnvironment().egressLog, 'utf8');
      return log.includes(`CONNECT ${svc.spec!.clusterIP}:443`) ? true : undefined;
    });
    expect((await socketsOf(pids)).filter(leavesLoopback)).toEqual([]);
  });
});

describe('local clusters: simulator', () => {
  it("gives a LoadBalancer Service an address from its own cluster's documentation block", async () => {
    for (const [i, ctx] of [c1, c2].entries()) {
      const ns = await namespace(ctx);
      await core(ctx).createNamespacedService({ namespace: ns, body: { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 15443 }] } } });
      const ip = await eventually('LoadBalancer ingress IP', async () => (await core(ctx).readNamespacedService({ name: 'lb', namespace: ns })).status?.loadBalancer?.ingress?.[0]?.ip);
      const cidr = env.clusters[i]!.loadBalancerCidr;
      const [base, bits] = cidr.split('/') as [string, string];
      const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
      const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
      expect((toInt(ip) & mask) >>> 0 === toInt(base), `${ip} in ${cidr}`).toBe(true);
      expect(['192.0.2.', '198.51.100.', '203.0.113.'].some((p) => ip.startsWith(p))).toBe(true);
    }
    expect(env.clusters[0]!.loadBalancerCidr).not.toBe(env.clusters[1]!.loadBalancerCidr);
  });

  it('makes a Deployment Available with an owned ReplicaSet, as istioctl and kubectl read it', async () => {
    const ns = await namespace(c1);
    await apps(c1).createNamespacedDeployment({ namespace: ns, body: deployment('web', 2) });
    const d = await eventually('Deployment Available', async () => {
      const got = await apps(c1).readNamespacedDeployment({ name: 'web', namespace: ns });
      return isDeploymentAvailable(got) ? got : undefined;
    });
    expect(d.status).toMatchObject({ observedGeneration: d.metadata?.generation, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const [rs, ...more] = (await apps(c1).listNamespacedReplicaSet({ namespace: ns })).items;
    expect(more).toHaveLength(0);
    expect(rs!.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: d.metadata?.uid, controller: true });
    const hash = rs!.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[a-z0-9]+$/);
    expect(rs!.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs!.status?.readyReplicas).toBe(2);
  });

  it(`leaves Deployments alone in a namespace annotated ${SIMULATOR_OFF_ANNOTATION}: deployments`, async () => {
    const ns = await namespace(c1, { annotations: { [SIMULATOR_OFF_ANNOTATION]: 'deployments' } });
    await apps(c1).createNamespacedDeployment({ namespace: ns, body: deployment('web', 1) });
    await simulatorPassesDone(core(c1), ns);
    const d = await apps(c1).readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(isDeploymentAvailable(d)).toBe(false);
    expect(d.status?.availableReplicas ?? 0).toBe(0);
    expect((await apps(c1).listNamespacedReplicaSet({ namespace: ns })).items).toHaveLength(0);
  });
});

describe('simulator switches, on a separately started cluster and simulator', () => {
  // The shared simulator serves every test, so switching one of its effects off would disturb
  // others; this one cluster and simulator belong to this block alone.
  let set: ClusterSet | undefined;
  let simulator: Simulator | undefined;
  beforeAll(async () => {
    set = await startClusterSet({ binDir: env.binDir, count: 1 });
    const kc = kubeConfigForContext(set.kubeconfigPath, 'cluster1');
    simulator = await startSimulator({ clusters: [{ name: 'cluster1', kubeConfig: kc }], effects: { deployments: false } });
  });
  afterAll(async () => {
    await simulator?.stop();
    await set?.stop();
  });

  it('keeps a Deployment unavailable while `deployments` is off, and rolls it out once switched on', async () => {
    const kc = kubeConfigForContext(set!.kubeconfigPath, 'cluster1');
    const [coreApi, appsApi] = [kc.makeApiClient(CoreV1Api), kc.makeApiClient(AppsV1Api)];
    await appsApi.createNamespacedDeployment({ namespace: 'default', body: deployment('web', 1) });
    await simulatorPassesDone(coreApi, 'default');
    const before = await appsApi.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(isDeploymentAvailable(before)).toBe(false);
    expect(before.status?.observedGeneration).toBeUndefined();

    simulator!.setEffect('deployments', true);
    const after = await eventually('Deployment Available', async () => {
      const d = await appsApi.readNamespacedDeployment({ name: 'web', namespace: 'default' });
      return isDeploymentAvailable(d) ? d : undefined;
    });
    expect(after.status?.availableReplicas).toBe(1);
  });

  it('does nothing while paused, and catches up once resumed', async () => {
    const kc = kubeConfigForContext(set!.kubeconfigPath, 'cluster1');
    const coreApi = kc.makeApiClient(CoreV1Api);
    simulator!.setPaused(true);
    await new Promise((r) => setTimeout(r, 1000)); // a pass in flight finishes
    const name = uniqueName('paused');
    await coreApi.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
    await new Promise((r) => setTimeout(r, 2000)); // five pass intervals
    expect((await coreApi.readNamespacedService({ name, namespace: 'default' })).status?.loadBalancer?.ingress).toBeUndefined();
    simulator!.setPaused(false);
    const ip = await eventually(`${name} address`, async () => (await coreApi.readNamespacedService({ name, namespace: 'default' })).status?.loadBalancer?.ingress?.[0]?.ip);
    expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
  });
});

describe('local clusters: istioctl', () => {
  it('renders manifests offline with docker.io/istio images of the pinned version', async () => {
    const iop = 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: minimal\n';
    const child = execFile(binPath('istioctl'), ['manifest', 'generate', '-f', '-'], { maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    child.stdin?.end(iop);
    const stdout = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c) => (out += c));
      child.once('error', reject);
      child.once('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`istioctl exited ${status}`))));
    });
    expect(stdout).toContain('kind: CustomResourceDefinition');
    expect(stdout).toMatch(/image: docker\.io\/istio\/pilot:1\.31\.0/);
    expect(stdout).not.toContain('gcr.io/istio-testing');
  });

  it('reports the pinned client version', async () => {
    const { stdout } = await promisify(execFile)(binPath('istioctl'), ['version', '--remote=false']);
    expect(stdout.trim()).toBe('client version: 1.31.0');
  });
});
