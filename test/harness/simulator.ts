// THE SIMULATOR: the only simulated part of meshctl's local test clusters.
//
// Everything else in test/harness is real: etcd, kube-apiserver, kube-controller-manager,
// RBAC, tokens, namespace deletion, garbage collection. What cannot exist on a machine without
// nodes, containers or a cloud is imitated here, against the real API servers, by writing the
// objects and status fields the missing component would write:
//
//   loadBalancer      a cloud load-balancer controller: Services of type LoadBalancer (without a
//                     loadBalancerClass) get status.loadBalancer.ingress[0].ip from a per-cluster
//                     block of the documentation ranges 192.0.2.0/24, 198.51.100.0/24 and
//                     203.0.113.0/24 (RFC 5737). Nothing is ever sent to those addresses.
//   deployments       the deployment + replicaset controllers and running pods: each Deployment
//                     gets a ReplicaSet (controller owner reference, pod-template-hash label and
//                     selector, the Deployment's template) whose status counts every replica as
//                     ready, and a Deployment status as the controller reports a finished rollout
//                     (observedGeneration, replicas/updated/ready/available, Available and
//                     Progressing conditions). That is exactly what `istioctl install` waits for
//                     (operator/pkg/install/wait.go: the newest ReplicaSet whose template equals
//                     the Deployment's, found through kubectl's GetAllReplicaSets, must have
//                     readyReplicas >= spec.replicas) and what `kubectl rollout status` reads.
//                     No Pods are created.
//   webhookCaBundle   a running istiod's webhook cert patcher: every webhook of the
//   rootCertConfigMap MutatingWebhookConfigurations named istio-sidecar-injector* gets caBundle =
//                     the istiod's root certificate, and ConfigMap istio-ca-root-cert (key
//                     root-cert.pem) is written into every namespace, in each cluster that
//                     istiod controls (see "istiod" below).
//
// An istiod "runs" in a cluster when istio-system holds an Available Deployment named istiod*.
// It controls its own cluster, and a remote cluster R when (1) its istio-system has a Secret
// labelled istio/multiCluster=true with a data key R (a kubeconfig), and (2) R's istio-system is
// annotated topology.istio.io/controlPlaneClusters naming this cluster (or "*"). Like the real
// istiod, everything done in R is done with the kubeconfig from that Secret, so a broken token,
// server address, CA or missing RBAC in meshctl's remote secret shows up as "nothing happens".
// The root certificate is the primary's `cacerts` root-cert.pem when that Secret exists (as with
// a real plugged-in CA), otherwise a self-signed CA generated per primary at start.
//
// A cluster's pass runs when something it reads may have changed: each cluster is watched
// (metadata only) for the kinds a pass reads, and a change there wakes that cluster's pass and
// the passes of the primaries that control it. A slow resync pass (every 5 s) covers what no watch
// sees — a token that starts working, RBAC created in a remote, a watch that lapsed — and a pass
// that hit an error is retried after a second. (Polling every cluster every 400 ms, as the first
// version did, cost about a core with 16 clusters on this 2-core machine, under every figure.)
//
// Every effect can be switched off: in the options (`effects`), at run time (`setEffect`), with
// MESHCTL_SIM_OFF=effect,effect for the CLI and the e2e global setup, and per namespace with the
// annotation sim.meshctl.test/off: "deployments,loadBalancer" (or "all") — which lets one test
// prove that a wait fails cleanly while other tests share the same simulator.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { promisify } from 'node:util';
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Deployment,
  type V1DeploymentCondition,
  type V1DeploymentStatus,
  type V1Namespace,
  type V1ReplicaSet,
} from '@kubernetes/client-node';

export const SIMULATED_EFFECTS = ['loadBalancer', 'deployments', 'webhookCaBundle', 'rootCertConfigMap'] as const;
export type SimulatedEffect = (typeof SIMULATED_EFFECTS)[number];
export type SimulatedEffects = Record<SimulatedEffect, boolean>;

/** Namespace annotation: comma-separated effects (or "all") the simulator leaves alone there. */
export const SIMULATOR_OFF_ANNOTATION = 'sim.meshctl.test/off';
/** Environment variable read by the CLI and the global setup: effects to switch off. */
export const SIMULATOR_OFF_ENV = 'MESHCTL_SIM_OFF';

const ISTIO_NS = 'istio-system';
const CONTROL_PLANE_CLUSTERS = 'topology.istio.io/controlPlaneClusters';
const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
// As istiod's namespace controller (inject.IgnoredNamespaces minus kube-system).
const ROOT_CERT_IGNORED_NAMESPACES = new Set(['kube-public', 'kube-node-lease', 'local-path-storage']);
const HASH_LABEL = 'pod-template-hash';

export interface SimulatorCluster {
  /** Cluster ID as meshctl and Istio name it; also the kubeconfig context (cluster1, ...). */
  name: string;
  /** Admin access to the cluster. */
  kubeConfig: KubeConfig;
}

export interface SimulatorEvent {
  cluster: string;
  effect: SimulatedEffect;
  message: string;
  error: boolean;
}

export interface SimulatorOptions {
  /** In cluster-set order: the position decides the LoadBalancer address block. */
  clusters: SimulatorCluster[];
  effects?: Partial<SimulatedEffects>;
  /** A pass over every cluster at least this often, changes seen or not; default 5000 ms. */
  resyncMs?: number;
  /** Every effect applied and every (de-duplicated) error; the CLI logs them to a file. */
  onEvent?: (event: SimulatorEvent) => void;
}

export interface Simulator {
  stop(): Promise<void>;
  /**
   * Paused, no passes run (each pass lists a cluster's namespaces, Services, Deployments and
   * webhooks). The benchmark pauses it while it measures no-op plans, when no effect is pending,
   * so that resync passes over 16 clusters do not load the machine under the figures. Resuming
   * runs a pass over every cluster.
   */
  setPaused(paused: boolean): void;
  setEffect(effect: SimulatedEffect, enabled: boolean): void;
  effects(): SimulatedEffects;
  /** e.g. "192.0.2.0/24" */
  loadBalancerCidr(cluster: string): string;
  /** The PEM the simulated istiod of `cluster` uses when there is no cacerts Secret. */
  generatedRootCert(cluster: string): string;
}

// ---------------------------------------------------------------------------------------------
// Switches

/** Parses "deployments,loadBalancer" (or "all") into effects switched off. */
export function effectsOff(list: string | undefined): Partial<SimulatedEffects> {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const off: Partial<SimulatedEffects> = {};
  for (const name of names) {
    if (name === 'all') SIMULATED_EFFECTS.forEach((e) => (off[e] = false));
    else if ((SIMULATED_EFFECTS as readonly string[]).includes(name)) off[name as SimulatedEffect] = false;
    else throw new Error(`Unknown simulated effect "${name}"; known: ${SIMULATED_EFFECTS.join(', ')}, all`);
  }
  return off;
}

function namespaceOff(ns: V1Namespace | undefined): Set<string> {
  const value = ns?.metadata?.annotations?.[SIMULATOR_OFF_ANNOTATION];
  if (!value) return new Set();
  return new Set(value.split(',').map((s) => s.trim()).flatMap((s) => (s === 'all' ? [...SIMULATED_EFFECTS] : [s])));
}

/**
 * Which effects a pass may have in which namespace, from the namespaces it listed first. An object
 * in a namespace that list does not hold was made after it, so its namespace's annotations are not
 * known yet: the pass leaves it alone, and the watch event that announced it wakes the next pass.
 * (Treating it as "nothing off" once rolled out a Deployment in a namespace created with
 * sim.meshctl.test/off: deployments.)
 */
function effectsByNamespace(namespaces: V1Namespace[], enabled: (e: SimulatedEffect) => boolean): (e: SimulatedEffect, ns: string) => boolean {
  const off = new Map(namespaces.map((ns) => [ns.metadata?.name ?? '', namespaceOff(ns)]));
  return (effect, ns) => {
    const there = off.get(ns);
    return enabled(effect) && there !== undefined && !there.has(effect);
  };
}

// ---------------------------------------------------------------------------------------------
// LoadBalancer address blocks

const DOC_RANGES = ['192.0.2', '198.51.100', '203.0.113'];

/**
 * The documentation-range block of cluster `index` (0-based) in a set of `count`: the three
 * /24s split into equal power-of-two blocks, as large as `count` allows (2–3 clusters get a /24
 * each, up to 48 clusters a /28 each).
 */
export function loadBalancerBlock(index: number, count: number): { cidr: string; hosts: string[] } {
  if (count > 48) throw new Error(`At most 48 clusters get distinct LoadBalancer blocks, asked for ${count}`);
  let perRange = 1;
  while (perRange * DOC_RANGES.length < count) perRange *= 2;
  const size = 256 / perRange;
  const prefix = DOC_RANGES[Math.floor(index / perRange)];
  const base = (index % perRange) * size;
  const hosts = Array.from({ length: size - 2 }, (_, i) => `${prefix}.${base + 1 + i}`);
  return { cidr: `${prefix}.${base}/${32 - Math.log2(size)}`, hosts };
}

// ---------------------------------------------------------------------------------------------
// Deployments

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Stable hash of a pod template (not bit-identical to the controller's fnv32a, same shape). */
function podTemplateHash(template: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : v;
  const digest = createHash('sha256').update(JSON.stringify(canonical(template))).digest();
  return Array.from(digest.subarray(0, 10), (b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length]).join('');
}

const isOwnedBy = (rs: V1ReplicaSet, d: V1Deployment) =>
  (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata?.uid);

function condition(
  existing: V1DeploymentCondition[] | undefined,
  wanted: { type: string; reason: string; message: string },
): V1DeploymentCondition {
  const old = existing?.find((c) => c.type === wanted.type);
  const now = new Date();
  const unchanged = old?.status === 'True' && old.reason === wanted.reason && old.message === wanted.message;
  return {
    ...wanted,
    status: 'True',
    lastUpdateTime: unchanged ? old.lastUpdateTime : now,
    lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now,
  };
}

function rolledOutStatus(d: V1Deployment, rsName: string): V1DeploymentStatus {
  const n = d.spec?.replicas ?? 1;
  const conditions = d.status?.conditions;
  return {
    observedGeneration: d.metadata?.generation,
    replicas: n,
    updatedReplicas: n,
    readyReplicas: n,
    availableReplicas: n,
    conditions: [
      condition(conditions, { type: 'Available', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }),
      condition(conditions, { type: 'Progressing', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }),
    ],
  };
}

function statusDone(d: V1Deployment, want: V1DeploymentStatus): boolean {
  const s = d.status ?? {};
  const fields = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const;
  const conditionsOk = (want.conditions ?? []).every((w) =>
    s.conditions?.some((c) => c.type === w.type && c.status === 'True' && c.reason === w.reason && c.message === w.message));
  return conditionsOk && fields.every((f) => (s[f] ?? 0) === (want[f] ?? 0)) && !s.unavailableReplicas;
}

export function isDeploymentAvailable(d: V1Deployment): boolean {
  return (d.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
}

// ---------------------------------------------------------------------------------------------
// The simulator

type Emit = (effect: SimulatedEffect, message: string, error?: boolean) => void;

interface ClusterClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  admission: AdmissionregistrationV1Api;
}

const clientsOf = (kc: KubeConfig): ClusterClients => ({
  core: kc.makeApiClient(CoreV1Api),
  apps: kc.makeApiClient(AppsV1Api),
  admission: kc.makeApiClient(AdmissionregistrationV1Api),
});

const statusCode = (err: unknown) => (err as { code?: number }).code;

async function selfSignedCa(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)('openssl', [
    'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', '/dev/null', '-days', '365', '-subj', `/O=cluster.local/CN=simulated istiod CA ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return stdout;
}

class ClusterSimulation {
  readonly clients: ClusterClients;
  private readonly lbHosts: string[];
  // Remote clients built from remote-secret kubeconfigs, keyed by the kubeconfig's digest.
  private readonly remoteClients = new Map<string, ClusterClients>();

  constructor(
    readonly cluster: SimulatorCluster,
    readonly lbCidr: string,
    lbHosts: string[],
    readonly generatedRoot: string,
    private readonly enabled: (e: SimulatedEffect) => boolean,
    private readonly emit: Emit,
    /** Told of every remote this cluster's istiod looks at: a change there must wake this pass. */
    private readonly readsRemote: (remote: string) => void,
  ) {
    this.clients = clientsOf(cluster.kubeConfig);
    this.lbHosts = lbHosts;
  }

  /** Whether the last pass met an error (it is then retried soon). */
  private failed = false;

  /** One pass over this cluster (and the remotes it controls); true when something failed. */
  async pass(): Promise<boolean> {
    this.failed = false;
    const on = effectsByNamespace((await this.clients.core.listNamespace()).items, (e) => this.enabled(e));
    await this.guard('loadBalancer', () => this.loadBalancers(on));
    await this.guard('deployments', () => this.deployments(on));
    await this.guard('webhookCaBundle', () => this.istiod(on));
    return this.failed;
  }

  private async guard(effect: SimulatedEffect, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.failed = true;
      this.emit(effect, (err as Error).message, true);
    }
  }

  private async loadBalancers(on: (e: SimulatedEffect, ns: string) => boolean): Promise<void> {
    if (!this.enabled('loadBalancer')) return;
    const services = (await this.clients.core.listServiceForAllNamespaces()).items;
    const used = new Set(services.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip)));
    for (const svc of services) {
      const ns = svc.metadata?.namespace ?? '';
      if (svc.spec?.type !== 'LoadBalancer' || svc.spec.loadBalancerClass || !on('loadBalancer', ns)) continue;
      if (svc.status?.loadBalancer?.ingress?.length) continue;
      const ip = this.lbHosts.find((h) => !used.has(h));
      if (!ip) {
        this.emit('loadBalancer', `no free address left in ${this.lbCidr} for ${ns}/${svc.metadata?.name}`, true);
        return;
      }
      used.add(ip);
      svc.status = { ...svc.status, loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
      await this.clients.core.replaceNamespacedServiceStatus({ name: svc.metadata!.name!, namespace: ns, body: svc });
      this.emit('loadBalancer', `Service ${ns}/${svc.metadata?.name} got ${ip}`);
    }
  }

  private async deployments(on: (e: SimulatedEffect, ns: string) => boolean): Promise<void> {
    if (!this.enabled('deployments')) return;
    const [deployments, replicaSets] = await Promise.all([
      this.clients.apps.listDeploymentForAllNamespaces(),
      this.clients.apps.listReplicaSetForAllNamespaces(),
    ]);
    for (const d of deployments.items) {
      if (d.metadata?.deletionTimestamp || !on('deployments', d.metadata?.namespace ?? '')) continue;
      await this.rollOut(d, replicaSets.items.filter((rs) => isOwnedBy(rs, d)));
    }
  }

  /** Brings one Deployment to "rollout complete", touching only what differs. */
  private async rollOut(d: V1Deployment, owned: V1ReplicaSet[]): Promise<void> {
    const apps = this.clients.apps;
    const namespace = d.metadata!.namespace!;
    const replicas = d.spec?.replicas ?? 1;
    const hash = podTemplateHash(d.spec?.template);
    let current = owned.find((rs) => rs.metadata?.labels?.[HASH_LABEL] === hash);
    for (const old of owned.filter((rs) => rs !== current && rs.spec?.replicas !== 0)) {
      // A changed template: the real controller scales the previous ReplicaSet down to zero.
      old.spec = { ...old.spec!, replicas: 0 };
      const scaled = await apps.replaceNamespacedReplicaSet({ name: old.metadata!.name!, namespace, body: old });
      scaled.status = { replicas: 0, observedGeneration: scaled.metadata?.generation };
      await apps.replaceNamespacedReplicaSetStatus({ name: old.metadata!.name!, namespace, body: scaled });
    }
    if (!current) {
      const revision = 1 + Math.max(0, ...owned.map((rs) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0)));
      const template = structuredClone(d.spec!.template);
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
      const selector = d.spec!.selector;
      current = await apps.createNamespacedReplicaSet({
        namespace,
        body: {
          metadata: {
            name: `${d.metadata!.name}-${hash}`,
            namespace,
            labels: template.metadata.labels,
            annotations: { 'deployment.kubernetes.io/revision': String(revision) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
          },
          spec: { replicas, selector: { ...selector, matchLabels: { ...selector.matchLabels, [HASH_LABEL]: hash } }, template },
        },
      });
      this.emit('deployments', `ReplicaSet ${namespace}/${current.metadata?.name} created for Deployment ${d.metadata?.name}`);
    } else if (current.spec?.replicas !== replicas) {
      current.spec = { ...current.spec!, replicas };
      current = await apps.replaceNamespacedReplicaSet({ name: current.metadata!.name!, namespace, body: current });
    }
    const rsStatus = current.status;
    if (rsStatus?.readyReplicas !== replicas || rsStatus.observedGeneration !== current.metadata?.generation || rsStatus.replicas !== replicas) {
      current.status = { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: current.metadata?.generation };
      await apps.replaceNamespacedReplicaSetStatus({ name: current.metadata!.name!, namespace, body: current });
    }
    const want = rolledOutStatus(d, current.metadata!.name!);
    if (!statusDone(d, want)) {
      d.status = want;
      await apps.replaceNamespacedDeploymentStatus({ name: d.metadata!.name!, namespace, body: d });
      this.emit('deployments', `Deployment ${namespace}/${d.metadata?.name} Available (${replicas} replicas)`);
    }
  }

  /** What a running istiod in this cluster visibly does, here and in the remotes it controls. */
  private async istiod(on: (e: SimulatedEffect, ns: string) => boolean): Promise<void> {
    if (!this.enabled('webhookCaBundle') && !this.enabled('rootCertConfigMap')) return;
    const istiods = (await this.clients.apps.listNamespacedDeployment({ namespace: ISTIO_NS })).items
      .filter((d) => d.metadata?.name?.startsWith('istiod') && isDeploymentAvailable(d));
    if (istiods.length === 0) return;
    const root = await this.rootCert();
    await this.control({ clients: this.clients, cluster: this.cluster.name, root, on });
    const secrets = (await this.clients.core.listNamespacedSecret({ namespace: ISTIO_NS, labelSelector: 'istio/multiCluster=true' })).items;
    for (const secret of secrets) {
      for (const [remote, encoded] of Object.entries(secret.data ?? {})) {
        if (remote === this.cluster.name) continue; // as istiod: never overwrite its own cluster
        try {
          this.readsRemote(remote);
          const clients = this.remote(Buffer.from(encoded, 'base64').toString('utf8'));
          const ns = await clients.core.readNamespace({ name: ISTIO_NS });
          const leaders = (ns.metadata?.annotations?.[CONTROL_PLANE_CLUSTERS] ?? '').split(',').map((s) => s.trim());
          if (!leaders.includes(this.cluster.name) && !leaders.includes('*')) continue;
          // The remote's own namespace annotations decide what is off there.
          const remoteNamespaces = (await clients.core.listNamespace()).items;
          const onThere = effectsByNamespace(remoteNamespaces, (e) => this.enabled(e));
          await this.control({ clients, cluster: remote, root, on: onThere, namespaces: remoteNamespaces });
        } catch (err) {
          this.failed = true;
          this.emit('webhookCaBundle', `remote cluster ${remote} (secret ${secret.metadata?.name}): ${(err as Error).message}`, true);
        }
      }
    }
  }

  private async rootCert(): Promise<string> {
    try {
      const cacerts = await this.clients.core.readNamespacedSecret({ name: 'cacerts', namespace: ISTIO_NS });
      const pem = cacerts.data?.['root-cert.pem'];
      if (pem) return Buffer.from(pem, 'base64').toString('utf8');
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
    return this.generatedRoot;
  }

  private remote(kubeconfig: string): ClusterClients {
    const key = createHash('sha256').update(kubeconfig).digest('hex');
    let clients = this.remoteClients.get(key);
    if (!clients) {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      clients = clientsOf(kc);
      this.remoteClients.set(key, clients);
    }
    return clients;
  }

  /** Webhook caBundle and root-cert ConfigMaps in one cluster an istiod controls. */
  private async control(target: {
    clients: ClusterClients;
    cluster: string;
    root: string;
    on: (e: SimulatedEffect, ns: string) => boolean;
    namespaces?: V1Namespace[];
  }): Promise<void> {
    const { clients, cluster, root, on } = target;
    const caBundle = Buffer.from(root).toString('base64');
    if (on('webhookCaBundle', ISTIO_NS)) {
      const configs = (await clients.admission.listMutatingWebhookConfiguration()).items
        .filter((c) => c.metadata?.name?.startsWith('istio-sidecar-injector'));
      for (const config of configs) {
        const ops = (config.webhooks ?? []).flatMap((w, i) =>
          w.clientConfig.caBundle === caBundle ? [] : [{ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle }]);
        if (ops.length === 0) continue;
        // A JSON patch touches only caBundle: nothing else of meshctl's object is rewritten.
        await clients.admission.patchMutatingWebhookConfiguration({ name: config.metadata!.name!, body: ops });
        this.emit('webhookCaBundle', `${cluster}: caBundle set on MutatingWebhookConfiguration ${config.metadata?.name}`);
      }
    }
    const namespaces = target.namespaces ?? (await clients.core.listNamespace()).items;
    const existing = (await clients.core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.name=${ROOT_CERT_CONFIGMAP}` })).items;
    for (const ns of namespaces) {
      const name = ns.metadata?.name ?? '';
      if (ns.status?.phase === 'Terminating' || ROOT_CERT_IGNORED_NAMESPACES.has(name) || !on('rootCertConfigMap', name)) continue;
      const cm = existing.find((c) => c.metadata?.namespace === name);
      if (cm?.data?.['root-cert.pem'] === root) continue;
      const body = { metadata: { name: ROOT_CERT_CONFIGMAP, namespace: name, labels: { 'istio.io/config': 'true' } }, data: { 'root-cert.pem': root } };
      try {
        if (cm) await clients.core.replaceNamespacedConfigMap({ name: ROOT_CERT_CONFIGMAP, namespace: name, body: { ...body, metadata: { ...body.metadata, resourceVersion: cm.metadata?.resourceVersion } } });
        else await clients.core.createNamespacedConfigMap({ namespace: name, body });
        this.emit('rootCertConfigMap', `${cluster}: ${ROOT_CERT_CONFIGMAP} written in namespace ${name}`);
      } catch (err) {
        // A namespace that started terminating after we listed it refuses new objects (403).
        if (statusCode(err) !== 403 && statusCode(err) !== 409) throw err;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Wake-ups

// What a pass reads, per cluster. An event only says "look again": the pass reads what it needs.
const WATCHED = [
  '/api/v1/namespaces',
  '/api/v1/services',
  '/apis/apps/v1/deployments',
  '/apis/apps/v1/replicasets',
  '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
  `/api/v1/namespaces/${ISTIO_NS}/secrets`,
  `/api/v1/configmaps?fieldSelector=${encodeURIComponent(`metadata.name=${ROOT_CERT_CONFIGMAP}`)}`,
];
// Metadata is enough to know that something changed, and far smaller than Deployments or
// Secrets in full.
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** Calls `onChange` on every watch event of `WATCHED` in one cluster; returns a stop function. */
function watchChanges(kc: KubeConfig, onChange: () => void): () => void {
  let stopped = false;
  const open = new Set<{ destroy(): void }>();
  const watch = async (path: string) => {
    if (stopped) return;
    const url = new URL(`${kc.getCurrentCluster()!.server}${path}`);
    url.searchParams.set('watch', 'true');
    url.searchParams.set('timeoutSeconds', '300');
    const options: RequestOptions = { headers: { Accept: METADATA_ONLY } };
    await kc.applyToHTTPSOptions(options);
    if (stopped) return;
    let reopened = false;
    // However it ends (server timeout, error, API server restarting), watch again a second later
    // and look once: events between two watches are not replayed.
    const reopen = () => {
      if (reopened) return;
      reopened = true;
      open.delete(req);
      if (!stopped) setTimeout(() => { onChange(); void watch(path); }, 1000).unref();
    };
    const req = httpsRequest(url, options, (res) => {
      if (res.statusCode === 200) res.on('data', onChange);
      else res.resume();
      res.on('error', reopen).on('end', reopen).on('close', reopen);
    });
    req.on('error', reopen).on('close', reopen).end();
    open.add(req);
  };
  for (const path of WATCHED) void watch(path).catch(() => undefined);
  return () => {
    stopped = true;
    for (const req of open) req.destroy();
  };
}

/**
 * Runs one cluster's passes one at a time: a wake-up during a pass runs one more pass after it,
 * wake-ups close together run one pass, and a pass that failed is retried after a second.
 */
class PassScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly mayRun: () => boolean,
  ) {}

  wake(delayMs = 50): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.timer ??= setTimeout(() => this.start(), delayMs);
  }

  private start(): void {
    this.timer = undefined;
    if (!this.mayRun()) return; // resuming or resync wakes it again
    this.again = false;
    this.running = this.pass().then(
      (failed) => {
        this.running = undefined;
        if (this.again) this.wake();
        else if (failed) this.wake(1000);
      },
      () => {
        this.running = undefined;
        this.wake(1000);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const effects: SimulatedEffects = { loadBalancer: true, deployments: true, webhookCaBundle: true, rootCertConfigMap: true, ...options.effects };
  const count = options.clusters.length;
  const lastError = new Map<string, string>();
  const roots = await Promise.all(options.clusters.map((c) => selfSignedCa(c.name)));
  let stopped = false;
  let paused = false;
  // Remote cluster name -> the schedulers of the clusters whose istiod looks at it.
  const controllers = new Map<string, Set<PassScheduler>>();
  const schedulers = new Map<string, PassScheduler>();
  const sims = options.clusters.map((cluster, i) => {
    const block = loadBalancerBlock(i, count);
    const emit: Emit = (effect, message, error = false) => {
      const key = `${cluster.name}/${effect}`;
      // Errors repeat on every pass until fixed; report each distinct one once.
      if (error && lastError.get(key) === message) return;
      if (error) lastError.set(key, message);
      else lastError.delete(key);
      options.onEvent?.({ cluster: cluster.name, effect, message, error });
    };
    const readsRemote = (remote: string) => {
      const own = schedulers.get(cluster.name);
      if (!own) return;
      if (!controllers.has(remote)) controllers.set(remote, new Set());
      controllers.get(remote)!.add(own);
    };
    const sim = new ClusterSimulation(cluster, block.cidr, block.hosts, roots[i]!, (e) => effects[e], emit, readsRemote);
    const pass = async () => {
      try {
        return await sim.pass();
      } catch (err) {
        // An API server that is briefly unreachable (or stopping) is retried soon.
        if (!stopped) emit('deployments', `pass failed: ${(err as Error).message}`, true);
        return true;
      }
    };
    schedulers.set(cluster.name, new PassScheduler(pass, () => !stopped && !paused));
    return sim;
  });
  const wakeAll = () => schedulers.forEach((s) => s.wake());
  const unwatch = sims.map((sim) =>
    watchChanges(sim.cluster.kubeConfig, () => {
      schedulers.get(sim.cluster.name)!.wake();
      controllers.get(sim.cluster.name)?.forEach((s) => s.wake());
    }));
  const resync = setInterval(wakeAll, options.resyncMs ?? 5000);
  wakeAll();
  return {
    async stop() {
      stopped = true;
      clearInterval(resync);
      unwatch.forEach((u) => u());
      await Promise.all([...schedulers.values()].map((s) => s.stop()));
    },
    setEffect(effect, enabled) {
      effects[effect] = enabled;
      wakeAll();
    },
    setPaused(p) {
      paused = p;
      if (!p) wakeAll();
    },
    effects: () => ({ ...effects }),
    loadBalancerCidr(cluster) {
      const sim = sims.find((s) => s.cluster.name === cluster);
      if (!sim) throw new Error(`The simulator does not know cluster "${cluster}"`);
      return sim.lbCidr;
    },
    generatedRootCert(cluster) {
      const sim = sims.find((s) => s.cluster.name === cluster);
      if (!sim) throw new Error(`The simulator does not know cluster "${cluster}"`);
      return sim.generatedRoot;
    },
  };
}
