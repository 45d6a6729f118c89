// The istiod runner: a real pilot-discovery process for each istiod Deployment that is Available
// in a local cluster (the simulator's `deployments` effect makes it so; no pod ever runs here), started
// the way a pod of it would run (pod.ts, volumes.ts) and kept in step with the Deployment:
//
// - started when a Deployment in istio-system labelled app=istiod, whose container runs the pilot
//   image at a built version (pilot-discovery, or pilot-discovery-<version> for an earlier one,
//   the binary of the image's version), is Available with its current template rolled out and
//   replicas > 0 (one process per Deployment, whatever the replica count);
// - restarted when the pod template changes (once that rollout is done), and after exiting by
//   itself (back-off 10 s, doubling up to 5 min, as the kubelet's CrashLoopBackOff);
// - stopped when the Deployment is deleted or scaled to 0, or when it would dial a non-loopback
//   address (below).
//
// Its identity is the pod's: a kubeconfig with the API server's loopback address, the cluster CA
// and the ServiceAccount token the kube-api-access volume holds, issued by the TokenRequest API
// for the Deployment's ServiceAccount (never the admin credential the runner itself reads with).
//
// Nothing it does may leave loopback (every listener is 127.0.0.1, see pod.ts). What istiod 1.31
// dials, from its source: the config cluster's API server (its kubeconfig) and each remote's API
// server (the kubeconfig in each istio/multiCluster=true Secret), meshConfig configSources (MCP
// over gRPC), JWKS URIs of RequestAuthentication policies and a JWT_RULE's issuer (HTTP), remote
// trust-bundle URLs (MultiRootMesh), and DNS servers from /etc/resolv.conf for east-west gateway
// addresses that are hostnames (pilot/pkg/model/network.go). It never dials proxies, gateways or
// its discovery address: proxies dial it. So the runner
//   - checks before starting, and on every pass, that its kubeconfig, every remote secret and every
//     meshConfig configSource name a loopback server, and otherwise does not run it (reason in
//     state.json `skipped`);
//   - sets HTTP_PROXY/HTTPS_PROXY to a loopback trap that answers 403 and records each request
//     (state.json `egressAttempts`): Go's HTTP clients (client-go, the JWKS resolver, OIDC) send
//     every non-loopback request there;
//   - sets VALIDATION_WEBHOOK_CONFIG_NAME="" (istiod's own switch), which turns off the validation
//     webhook controller: to decide whether to switch failurePolicy to Fail it dry-runs an invalid
//     Gateway (pkg/webhooks/validation/controller), which makes the API server call istiod's
//     webhook through the istiod Service's ClusterIP (10.96.x.x), which the API server's egress
//     trap refuses (egress-trap.ts) but the controller would keep retrying. The webhook server
//     itself still runs, on loopback.
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { startEgressTrap } from '../egress-trap.js';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, Watch, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { freePort } from '../ports.js';
import { startProcess, type ManagedProcess } from '../processes.js';
import { get } from '../readiness.js';
import { containerEnv, expandVars, pilotContainer, pilotImageTag, withLoopbackListeners, LISTEN_PORT_NAMES, type ListenPorts, type PodIdentity, type PodSources } from './pod.js';
import { peakRssKiB, type IstiodProcessState, type RunnerState } from './state.js';
import { SERVICE_ACCOUNT_DIR, TokenCache, podFiles, writePodFiles } from './volumes.js';

export const ISTIOD_NAMESPACE = 'istio-system';
/** "off": no runner for the run (environment.ts); debugging only, the mesh then never verifies. */
export const ISTIOD_RUNNER_ENV = 'MESHCTL_ISTIOD';

export interface IstiodRunnerCluster {
  /** Cluster name as the kubeconfig context names it (cluster1, ...). */
  name: string;
  /** Admin access: the runner reads Deployments, Secrets and ConfigMaps and requests tokens, as a kubelet would. */
  kubeConfig: KubeConfig;
}

export interface IstiodRunnerOptions {
  clusters: IstiodRunnerCluster[];
  /** Holds pilot-discovery. */
  binDir: string;
  /** The runner's directory: state.json, runner.log, one directory per process (created). */
  dir: string;
  /** A pass over every cluster at least this often; default 3000 ms. */
  resyncMs?: number;
}

export interface IstiodRunner {
  dir: string;
  stateFile: string;
  state(): RunnerState;
  stop(): Promise<void>;
}

const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || /^::ffff:127\./i.test(h);
  return false;
}

function nonLoopbackServers(kubeconfigText: string): string[] {
  const doc = parse(kubeconfigText) as { clusters?: Array<{ cluster?: { server?: string } }> } | null;
  return (doc?.clusters ?? []).map((c) => c.cluster?.server ?? '').filter((server) => !server || !isLoopbackHost(new URL(server).hostname));
}

const isAvailable = (d: V1Deployment) => (d.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
const rolledOut = (d: V1Deployment) => (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);

interface Running {
  state: IstiodProcessState;
  process: ManagedProcess;
  tokens: TokenCache;
  identity: PodIdentity;
  /** Set when the runner stops it, so its exit is not taken for a crash. */
  stopping: boolean;
}

/** One cluster: its clients, watches and processes; passes run one at a time. */
class ClusterRunner {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly server: string;
  readonly ca: string;
  readonly running = new Map<string, Running>();
  /** Deployment key -> when it may be started again after exiting by itself, and how often it did. */
  private readonly backoff = new Map<string, { until: number; restarts: number }>();
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly aborts: AbortController[] = [];

  constructor(
    readonly cluster: IstiodRunnerCluster,
    private readonly shared: Shared,
  ) {
    this.core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const c = cluster.kubeConfig.getCurrentCluster();
    if (!c) throw new Error(`kubeconfig for ${cluster.name} has no current cluster`);
    this.server = c.server;
    this.ca = c.caData ? Buffer.from(c.caData, 'base64').toString('utf8') : c.caFile ? readFileSync(c.caFile, 'utf8') : '';
    if (!isLoopbackHost(new URL(this.server).hostname)) throw new Error(`${cluster.name}: API server ${this.server} is not on loopback`);
  }

  watch(): void {
    for (const path of [`/apis/apps/v1/namespaces/${ISTIOD_NAMESPACE}/deployments`, `/api/v1/namespaces/${ISTIOD_NAMESPACE}/secrets`]) void this.watchPath(path);
  }

  private async watchPath(path: string): Promise<void> {
    if (this.stopped) return;
    const again = () => {
      if (!this.stopped) setTimeout(() => void this.watchPath(path), 1000).unref();
    };
    try {
      const abort = await new Watch(this.cluster.kubeConfig).watch(
        path,
        { allowWatchBookmarks: false },
        () => this.wake(),
        () => again(),
      );
      this.aborts.push(abort);
    } catch {
      again();
    }
  }

  wake(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.reconcile()
      .catch((err: unknown) => this.shared.log(`${this.cluster.name}: pass failed: ${(err as Error).message}`))
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const deployments = (await this.apps.listNamespacedDeployment({ namespace: ISTIOD_NAMESPACE, labelSelector: 'app=istiod' })).items;
    const wanted = new Map<string, V1Deployment>();
    for (const d of deployments) {
      const key = d.metadata!.name!;
      const container = pilotContainer(d);
      if (!container) continue; // not Istio's pilot image: nothing this runner could run for it
      const tag = pilotImageTag(container.image)!;
      if (!this.shared.binaryFor(tag)) {
        this.shared.skip(this.cluster.name, key, `image ${container.image} is not a built pilot-discovery (${[...this.shared.versions.keys()].join(', ')})`);
        continue;
      }
      if (d.metadata?.deletionTimestamp || (d.spec?.replicas ?? 1) === 0 || !isAvailable(d)) continue;
      wanted.set(key, d);
    }
    const guard = wanted.size > 0 ? await this.dialGuard() : undefined;
    if (guard) {
      for (const key of wanted.keys()) this.shared.skip(this.cluster.name, key, guard);
      wanted.clear();
    }
    for (const [key, run] of this.running) {
      const d = wanted.get(key);
      if (!d) await this.stopOne(key, guard ? 'it would dial a non-loopback address' : 'Deployment gone, scaled to 0 or unavailable');
      else if (rolledOut(d) && sha256(JSON.stringify(d.spec!.template)) !== run.state.templateHash) await this.stopOne(key, 'pod template changed');
    }
    for (const [key, d] of wanted) {
      const run = this.running.get(key);
      if (run) {
        run.state.peakRssKiB = peakRssKiB(run.state.pid) ?? run.state.peakRssKiB;
        await this.refreshFiles(run, d);
        continue;
      }
      if (!rolledOut(d)) continue;
      const back = this.backoff.get(key);
      if (back && Date.now() < back.until) continue;
      try {
        await this.start(key, d, back?.restarts ?? 0);
        this.shared.unskip(this.cluster.name, key);
      } catch (err) {
        this.shared.skip(this.cluster.name, key, (err as Error).message);
      }
    }
  }

  /** Why istiod here would dial a non-loopback address, if it would: remote secrets, meshConfig configSources. */
  private async dialGuard(): Promise<string | undefined> {
    const secrets = (await this.core.listNamespacedSecret({ namespace: ISTIOD_NAMESPACE, labelSelector: 'istio/multiCluster=true' })).items;
    for (const s of secrets) {
      for (const [key, value] of Object.entries(s.data ?? {})) {
        const bad = nonLoopbackServers(Buffer.from(value, 'base64').toString('utf8'));
        if (bad.length) return `remote secret ${s.metadata?.name} (key ${key}) names API server ${bad.join(', ')}, which is not loopback`;
      }
    }
    const cms = (await this.core.listNamespacedConfigMap({ namespace: ISTIOD_NAMESPACE })).items.filter((c) => /^istio(-.+)?$/.test(c.metadata?.name ?? ''));
    for (const cm of cms) {
      const mesh = parse(cm.data?.mesh ?? '') as { configSources?: Array<{ address?: string }> } | null;
      for (const source of mesh?.configSources ?? []) {
        const address = source.address ?? '';
        if (address.startsWith('k8s://')) continue;
        const host = /^[a-z]+:\/\/([^/:]+|\[[^\]]+\])/.exec(address)?.[1] ?? address;
        if (!isLoopbackHost(host)) return `ConfigMap ${cm.metadata?.name} meshConfig configSource ${address} is not loopback`;
      }
    }
    return undefined;
  }

  private sources(): PodSources {
    const read = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    };
    const ns = ISTIOD_NAMESPACE;
    const decode = (data: Record<string, string> | undefined) => Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    return {
      secretData: async (name) => {
        const s = await read(() => this.core.readNamespacedSecret({ name, namespace: ns }));
        return s && decode(s.data);
      },
      configMapData: async (name) => (await read(() => this.core.readNamespacedConfigMap({ name, namespace: ns })))?.data ?? undefined,
      secretKey: async (name, key) => (await this.sources().secretData(name))?.[key],
      configMapKey: async (name, key) => (await this.sources().configMapData(name))?.[key],
    };
  }

  private tokenCache(serviceAccount: string): TokenCache {
    return new TokenCache(async (audience, expirationSeconds) => {
      const r = await this.core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace: ISTIOD_NAMESPACE,
        body: { spec: { audiences: audience ? [audience] : [], expirationSeconds } },
      });
      return { token: r.status!.token, expiresAt: new Date(r.status!.expirationTimestamp).getTime() };
    });
  }

  private async podName(d: V1Deployment): Promise<string> {
    const owned = (await this.apps.listNamespacedReplicaSet({ namespace: ISTIOD_NAMESPACE })).items.filter((rs) =>
      rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === d.metadata?.uid),
    );
    const revision = (rs: (typeof owned)[number]) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const newest = owned.sort((a, b) => revision(b) - revision(a))[0];
    const base = newest?.metadata?.name ?? `${d.metadata!.name}-${sha256(JSON.stringify(d.spec!.template)).slice(0, 10)}`;
    return `${base}-${Array.from(randomBytes(5), (b) => POD_NAME_ALPHABET[b % POD_NAME_ALPHABET.length]).join('')}`;
  }

  private async files(root: string, d: V1Deployment, run: { identity: PodIdentity; tokens: TokenCache }) {
    const spec = d.spec!.template.spec!;
    return podFiles(root, spec, pilotContainer(d)!, { pod: run.identity, sources: this.sources(), tokens: run.tokens, clusterCa: this.ca });
  }

  private async refreshFiles(run: Running, d: V1Deployment): Promise<void> {
    if (sha256(JSON.stringify(d.spec!.template)) !== run.state.templateHash) return; // the new template starts with its own files
    try {
      const written = await writePodFiles(await this.files(run.state.root, d, run));
      if (written.length) this.shared.log(`${this.cluster.name}: ${run.state.podName}: updated ${written.map((p) => p.slice(run.state.root.length)).join(', ')}`);
    } catch (err) {
      this.shared.log(`${this.cluster.name}: ${run.state.podName}: could not update its files: ${(err as Error).message}`);
    }
  }

  private async start(key: string, d: V1Deployment, restarts: number): Promise<void> {
    const template = d.spec!.template;
    const container = pilotContainer(d)!;
    if (container.command?.length && !container.command[0]!.endsWith('pilot-discovery')) throw new Error(`container command ${container.command.join(' ')} is not pilot-discovery`);
    const serviceAccount = template.spec?.serviceAccountName ?? 'default';
    const podName = await this.podName(d);
    const identity: PodIdentity = {
      name: podName,
      namespace: ISTIOD_NAMESPACE,
      uid: randomUUID(),
      serviceAccountName: serviceAccount,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations },
    };
    const home = join(this.shared.dir, this.cluster.name, podName);
    const root = join(home, 'root');
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const tokens = this.tokenCache(serviceAccount);
    await writePodFiles(await this.files(root, d, { identity, tokens }));

    const saDir = join(root, SERVICE_ACCOUNT_DIR);
    const kubeconfig = join(home, 'kubeconfig');
    // What rest.InClusterConfig builds in a pod (token file and CA of the kube-api-access volume),
    // with the API server's loopback address in place of the kubernetes Service's ClusterIP.
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: ${this.cluster.name}, cluster: {server: "${this.server}", certificate-authority: "${join(saDir, 'ca.crt')}"}}]`,
        `users: [{name: ${serviceAccount}, user: {tokenFile: "${join(saDir, 'token')}"}}]`,
        `contexts: [{name: ${this.cluster.name}, context: {cluster: ${this.cluster.name}, user: ${serviceAccount}, namespace: ${ISTIOD_NAMESPACE}}}]`,
        `current-context: ${this.cluster.name}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );

    const ports = Object.fromEntries(await Promise.all(LISTEN_PORT_NAMES.map(async (n) => [n, await freePort()] as const))) as unknown as ListenPorts;
    const apiPort = new URL(this.server).port || '443';
    const env = await containerEnv(container, identity, this.sources());
    // A mounted kubeconfig (e.g. the optional istio-kubeconfig Secret at /var/run/secrets/remote) is
    // what the pod would use; without one, client-go falls back to the in-cluster config.
    const mountedKubeconfig = env.KUBECONFIG?.startsWith('/') ? join(root, env.KUBECONFIG) : undefined;
    let useMounted = false;
    if (mountedKubeconfig) {
      try {
        const bad = nonLoopbackServers(readFileSync(mountedKubeconfig, 'utf8'));
        if (bad.length) throw new Error(`the mounted kubeconfig ${env.KUBECONFIG} names API server ${bad.join(', ')}, which is not loopback`);
        useMounted = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const overrides: Record<string, string> = {
      KUBECONFIG: useMounted ? `${mountedKubeconfig} (the mounted ${env.KUBECONFIG})` : `${kubeconfig}: the in-cluster config (${env.KUBECONFIG ?? 'unset'} does not exist in the pod)`,
      KUBERNETES_SERVICE_HOST: '127.0.0.1: the API server, as the kubelet sets it (there: the kubernetes Service ClusterIP)',
      VALIDATION_WEBHOOK_CONFIG_NAME: '"": no validation webhook controller, whose dry-run makes the API server call the istiod Service ClusterIP',
      HTTPS_PROXY: `http://127.0.0.1:${this.shared.trapPort}: a trap for any non-loopback HTTP(S) request`,
      HOME: `${root}: no user kubeconfig or cache outside the pod's files`,
    };
    const processEnv: NodeJS.ProcessEnv = {
      // The image's own environment (distroless/base) and what the kubelet adds for the API server.
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: root,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: apiPort,
      KUBERNETES_SERVICE_PORT_HTTPS: apiPort,
      ...env,
      KUBECONFIG: useMounted ? mountedKubeconfig : kubeconfig,
      VALIDATION_WEBHOOK_CONFIG_NAME: '',
      HTTP_PROXY: `http://127.0.0.1:${this.shared.trapPort}`,
      HTTPS_PROXY: `http://127.0.0.1:${this.shared.trapPort}`,
      NO_PROXY: '127.0.0.0/8,localhost,::1',
    };
    const args = withLoopbackListeners(
      (container.args ?? []).map((a) => expandVars(a, env)),
      ports,
    );
    const logFile = join(home, 'pilot-discovery.log');
    appendFileSync(
      logFile,
      `# istiod runner: ${this.cluster.name} ${ISTIOD_NAMESPACE}/${key}, pod ${podName}, ServiceAccount ${serviceAccount}\n# args: ${args.join(' ')}\n${Object.entries(overrides)
        .map(([k, v]) => `# ${k}=${v}`)
        .join('\n')}\n`,
      { mode: 0o600 },
    );
    const startedAt = Date.now();
    // reconcile() started only Deployments whose image names a built version.
    const pilot = this.shared.binaryFor(pilotImageTag(pilotContainer(d)!.image)!)!;
    const proc = startProcess({
      name: `${this.cluster.name}/${podName}`,
      // env -C: the pod's working directory is /, which here is `root`.
      command: '/usr/bin/env',
      args: ['-C', root, pilot.binary, ...args],
      logFile,
      env: processEnv,
    });
    const state: IstiodProcessState = {
      cluster: this.cluster.name,
      namespace: ISTIOD_NAMESPACE,
      deployment: key,
      revision: d.metadata?.labels?.['istio.io/rev'] ?? env.REVISION ?? 'default',
      podName,
      serviceAccount,
      binary: pilot.binary,
      version: pilot.version,
      templateHash: sha256(JSON.stringify(template)),
      pid: proc.pid,
      status: 'starting',
      ports,
      root,
      logFile,
      kubeconfig: processEnv.KUBECONFIG!,
      overrides,
      startedAt: new Date(startedAt).toISOString(),
      restarts,
    };
    const run: Running = { state, process: proc, tokens, identity, stopping: false };
    this.running.set(key, run);
    this.shared.add(state);
    this.shared.log(`${this.cluster.name}: started ${podName} for Deployment ${key} (pid ${proc.pid}, http 127.0.0.1:${ports.http})`);
    void this.awaitReady(run, startedAt);
    void proc.exited.then((code) => {
      state.exit = code;
      state.status = run.stopping ? 'stopped' : 'exited';
      if (this.running.get(key) === run) this.running.delete(key);
      if (!run.stopping) {
        const delay = Math.min(10_000 * 2 ** restarts, 300_000);
        this.backoff.set(key, { until: Date.now() + delay, restarts: restarts + 1 });
        this.shared.log(`${this.cluster.name}: ${podName} exited by itself (${code}); starting again in ${delay / 1000} s. Last log lines:\n${proc.logTail(15)}`);
        setTimeout(() => this.wake(), delay + 50).unref();
      }
      this.shared.changed();
    });
  }

  private async awaitReady(run: Running, startedAt: number): Promise<void> {
    const url = `http://127.0.0.1:${run.state.ports.http}/ready`;
    while (run.process.isRunning() && !this.stopped) {
      const ok = await get(url).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) {
        const now = Date.now();
        run.state.readyAt = new Date(now).toISOString();
        run.state.startupMs = now - startedAt;
        run.state.status = 'ready';
        this.shared.log(`${this.cluster.name}: ${run.state.podName} ready after ${run.state.startupMs} ms`);
        this.shared.changed();
        return;
      }
      await new Promise((r) => setTimeout(r, Date.now() - startedAt < 120_000 ? 100 : 2_000));
    }
  }

  async stopOne(key: string, why: string): Promise<void> {
    const run = this.running.get(key);
    if (!run) return;
    run.stopping = true;
    run.state.peakRssKiB = peakRssKiB(run.state.pid);
    this.shared.log(`${this.cluster.name}: stopping ${run.state.podName} (${why})`);
    // istiod 1.31 does not exit on SIGTERM (after its graceful steps it waits in WaitUntilCompletion); in a
    // pod the kubelet SIGKILLs it after the grace period. Leases are released within a second.
    await run.process.stop({ graceMs: 3_000 });
    this.running.delete(key);
    this.backoff.delete(key);
    // Keys and tokens go with the process; its log stays.
    rmSync(run.state.root, { recursive: true, force: true });
    this.shared.changed();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.aborts.forEach((a) => a.abort());
    await this.pass?.catch(() => undefined);
    await Promise.all([...this.running.keys()].map((k) => this.stopOne(k, 'runner stopping')));
  }
}

/** What the cluster runners share: the state file, the runner log, the egress trap. */
class Shared {
  readonly state: RunnerState = { updatedAt: new Date().toISOString(), processes: [], skipped: [], egressAttempts: [] };
  readonly stateFile: string;
  private readonly logFile: string;

  constructor(
    readonly dir: string,
    readonly binDir: string,
    /** Built pilot-discovery binaries by the version they report. */
    readonly versions: ReadonlyMap<string, string>,
    readonly trapPort: number,
  ) {
    this.stateFile = join(dir, 'state.json');
    this.logFile = join(dir, 'runner.log');
    this.changed();
  }

  /** The pilot-discovery an image tag names: its version, or that version with a suffix (1.31.0-distroless). */
  binaryFor(tag: string): { version: string; binary: string } | undefined {
    // Exact first: 1.31.0-dev is a version of its own, not 1.31.0 with a suffix.
    const exact = this.versions.get(tag);
    if (exact) return { version: tag, binary: exact };
    for (const [version, binary] of this.versions) if (tag.startsWith(`${version}-`)) return { version, binary };
    return undefined;
  }

  log(line: string): void {
    appendFileSync(this.logFile, `${new Date().toISOString()} ${line}\n`);
  }

  add(p: IstiodProcessState): void {
    this.state.processes.push(p);
    this.changed();
  }

  skip(cluster: string, deployment: string, reason: string): void {
    const existing = this.state.skipped.find((s) => s.cluster === cluster && s.deployment === deployment);
    if (existing?.reason === reason) return;
    this.log(`${cluster}: not running Deployment ${deployment}: ${reason}`);
    if (existing) existing.reason = reason;
    else this.state.skipped.push({ cluster, deployment, reason });
    this.changed();
  }

  unskip(cluster: string, deployment: string): void {
    const before = this.state.skipped.length;
    this.state.skipped = this.state.skipped.filter((s) => s.cluster !== cluster || s.deployment !== deployment);
    if (this.state.skipped.length !== before) this.changed();
  }

  egress(request: string): void {
    this.log(`EGRESS ATTEMPT through the proxy trap: ${request}`);
    this.state.egressAttempts.push({ at: new Date().toISOString(), request });
    this.changed();
  }

  changed(): void {
    this.state.updatedAt = new Date().toISOString();
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2));
    renameSync(tmp, this.stateFile);
  }
}

/** A loopback listener set as every istiod's HTTP(S) proxy: records the request line of whatever reaches it and refuses it. */
/** The version a pilot-discovery reports (`version -s`), which pilot images must name to be run with it. */
async function versionOf(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['version', '-s'], { env: { PATH: '/usr/bin:/bin' } });
  // "client version: 1.31.0"
  const version = /(\d+\.\d+\.\d+\S*)\s*$/.exec(stdout)?.[1];
  if (!version) throw new Error(`${binary} version -s printed no version: ${stdout}`);
  return version;
}

/**
 * Every pilot-discovery the bin directory holds: `pilot-discovery` (the pinned version) and
 * `pilot-discovery-<version>` (tools/bins/build.sh builds an earlier one for upgrades), by the
 * version each reports.
 */
async function builtVersions(binDir: string): Promise<Map<string, string>> {
  const names = [
    'pilot-discovery',
    ...readdirSync(binDir)
      .filter((f) => f.startsWith('pilot-discovery-'))
      .sort(),
  ];
  const out = new Map<string, string>();
  for (const name of names) {
    const binary = join(binDir, name);
    const version = await versionOf(binary);
    if (!out.has(version)) out.set(version, binary);
  }
  return out;
}

export async function startIstiodRunner(options: IstiodRunnerOptions): Promise<IstiodRunner> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const versions = await builtVersions(options.binDir);
  let shared: Shared | undefined;
  const trap = await startEgressTrap({ onAttempt: (line) => shared?.egress(line) });
  shared = new Shared(options.dir, options.binDir, versions, trap.port);
  const s = shared;
  s.log(`runner started: pilot-discovery ${[...versions.keys()].join(', ')}, clusters ${options.clusters.map((c) => c.name).join(', ')}, egress trap 127.0.0.1:${trap.port}`);
  const runners = options.clusters.map((c) => new ClusterRunner(c, s));
  runners.forEach((r) => {
    r.watch();
    r.wake();
  });
  const resync = setInterval(() => runners.forEach((r) => r.wake()), options.resyncMs ?? 3000);
  resync.unref();
  return {
    dir: options.dir,
    stateFile: s.stateFile,
    state: () => structuredClone(s.state),
    async stop() {
      clearInterval(resync);
      await Promise.all(runners.map((r) => r.stop()));
      void trap.close();
      s.log('runner stopped');
      s.changed();
    },
  };
}
