// THE SIMULATOR: the only simulated part of meshctl's local test clusters.
//
// Everything else in test/harness is real: etcd, kube-apiserver, kube-controller-manager,
// RBAC, tokens, namespace deletion, garbage collection. What cannot exist on a machine without
// nodes, containers or a cloud is imitated, against the real API servers, by writing the objects
// and status fields the missing component would write. One file per effect, in simulator/:
//
//   loadBalancer       loadbalancer.ts          a cloud load-balancer controller
//   deployments        rollout.ts               the deployment and replicaset controllers, pods
//   webhookCaBundle    webhook-cabundle.ts      a running istiod's webhook cert patcher
//   rootCertConfigMap  root-cert-configmap.ts   a running istiod's namespace controller
//
// When an istiod runs and which clusters it controls is istiod.ts; the switches are effects.ts.
// This file runs the passes.
//
// A cluster's pass runs when something it reads may have changed: each cluster is watched
// (metadata only, simulator/watch.ts) for the kinds a pass reads, and a change there wakes that
// cluster's pass and the passes of the primaries that control it. A slow resync pass (every 5 s)
// covers what no watch sees — a token that starts working, RBAC created in a remote, a watch
// that lapsed — and a pass that hit an error is retried after a second.
//
// Every effect can be switched off: in the options (`effects`), at run time (`setEffect`), with
// MESHCTL_SIM_OFF=effect,effect for the CLI and the e2e global setup, and per namespace with the
// annotation sim.meshctl.test/off: "deployments,loadBalancer" (or "all") — which lets one test
// prove that a wait fails cleanly while other tests share the same simulator.
import type { KubeConfig } from '@kubernetes/client-node';
import { clientsOf, type ClusterClients } from './simulator/clients.js';
import { effectsByNamespace, type Emit, type SimulatedEffect, type SimulatedEffects } from './simulator/effects.js';
import { SimulatedIstiod, selfSignedCa } from './simulator/istiod.js';
import { assignLoadBalancerAddresses, loadBalancerBlock, type LoadBalancerBlock } from './simulator/loadbalancer.js';
import { rollOutDeployments } from './simulator/rollout.js';
import { watchChanges } from './simulator/watch.js';

export { SIMULATED_EFFECTS, SIMULATOR_OFF_ANNOTATION, SIMULATOR_OFF_ENV, effectsOff, type SimulatedEffect, type SimulatedEffects } from './simulator/effects.js';
export { loadBalancerBlock } from './simulator/loadbalancer.js';
export { isDeploymentAvailable } from './simulator/rollout.js';

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

/** One cluster's effects, run in a pass. */
class ClusterSimulation {
  readonly clients: ClusterClients;
  readonly istiod: SimulatedIstiod;
  /** Whether the last pass met an error (it is then retried soon). */
  private failed = false;

  constructor(
    readonly cluster: SimulatorCluster,
    readonly lbBlock: LoadBalancerBlock,
    generatedRoot: string,
    private readonly enabled: (e: SimulatedEffect) => boolean,
    private readonly emit: Emit,
    readsRemote: (remote: string) => void,
  ) {
    this.clients = clientsOf(cluster.kubeConfig);
    this.istiod = new SimulatedIstiod(cluster.name, this.clients, generatedRoot, enabled, emit, readsRemote);
  }

  /** One pass over this cluster (and the remotes it controls); true when something failed. */
  async pass(): Promise<boolean> {
    this.failed = false;
    const on = effectsByNamespace((await this.clients.core.listNamespace()).items, (e) => this.enabled(e));
    if (this.enabled('loadBalancer')) await this.guard('loadBalancer', () => assignLoadBalancerAddresses(this.clients.core, this.lbBlock, on, this.emit));
    if (this.enabled('deployments')) await this.guard('deployments', () => rollOutDeployments(this.clients.apps, on, this.emit));
    await this.guard('webhookCaBundle', async () => {
      if (await this.istiod.pass(on)) this.failed = true;
    });
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
    const sim = new ClusterSimulation(cluster, loadBalancerBlock(i, count), roots[i]!, (e) => effects[e], emit, readsRemote);
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
  const simOf = (cluster: string) => {
    const sim = sims.find((s) => s.cluster.name === cluster);
    if (!sim) throw new Error(`The simulator does not know cluster "${cluster}"`);
    return sim;
  };
  const wakeAll = () => schedulers.forEach((s) => s.wake());
  const unwatch = sims.map((sim) =>
    watchChanges(sim.cluster.kubeConfig, () => {
      schedulers.get(sim.cluster.name)!.wake();
      controllers.get(sim.cluster.name)?.forEach((s) => s.wake());
    }),
  );
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
    loadBalancerCidr: (cluster) => simOf(cluster).lbBlock.cidr,
    generatedRootCert: (cluster) => simOf(cluster).istiod.generatedRoot,
  };
}
