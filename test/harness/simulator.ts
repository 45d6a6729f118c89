// THE SIMULATOR: the only simulated part of meshctl's local test clusters.
//
// Everything else in test/harness is real: etcd, kube-apiserver, kube-controller-manager,
// RBAC, tokens, namespace deletion, garbage collection. What cannot exist on a machine without
// nodes, containers or a cloud is imitated, against the real API servers, by writing the objects
// and status fields the missing component would write. One file per effect, in simulator/:
//
//   loadBalancer       loadbalancer.ts          a cloud load-balancer controller
//   deployments        rollout.ts               the deployment and replicaset controllers, pods
//
// istiod itself is real: istiod/runner.ts runs pilot-discovery for each istiod Deployment this
// simulated rollout makes Available. The switches are effects.ts; this file runs the passes.
//
// A cluster's pass runs when something it reads may have changed: each cluster is watched
// (metadata only, simulator/watch.ts) for the kinds a pass reads, and a change there wakes that
// cluster's pass. A slow resync pass (every 5 s) covers a watch that lapsed, and a pass that hit
// an error is retried after a second.
//
// Every effect can be switched off: in the options (`effects`), at run time (`setEffect`), with
// MESHCTL_SIM_OFF=effect,effect for the CLI and the e2e global setup, and per namespace with the
// annotation sim.meshctl.test/off: "deployments,loadBalancer" (or "all") — which lets one test
// prove that a wait fails cleanly while other tests share the same simulator.
import type { KubeConfig } from '@kubernetes/client-node';
import { clientsOf, type ClusterClients } from './simulator/clients.js';
import { effectsByNamespace, type Emit, type SimulatedEffect, type SimulatedEffects } from './simulator/effects.js';
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
  /** e.g. "198.51.100.0/24" */
  loadBalancerCidr(cluster: string): string;
}

/** One cluster's effects, run in a pass. */
class ClusterSimulation {
  readonly clients: ClusterClients;
  /** Whether the last pass met an error (it is then retried soon). */
  private failed = false;

  constructor(
    readonly cluster: SimulatorCluster,
    readonly lbBlock: LoadBalancerBlock,
    private readonly enabled: (e: SimulatedEffect) => boolean,
    private readonly emit: Emit,
  ) {
    this.clients = clientsOf(cluster.kubeConfig);
  }

  /** One pass over this cluster; true when something failed. */
  async pass(): Promise<boolean> {
    this.failed = false;
    const on = effectsByNamespace((await this.clients.core.listNamespace()).items, (e) => this.enabled(e));
    if (this.enabled('loadBalancer')) await this.guard('loadBalancer', () => assignLoadBalancerAddresses(this.clients.core, this.lbBlock, on, this.emit));
    if (this.enabled('deployments')) await this.guard('deployments', () => rollOutDeployments(this.clients.apps, on, this.emit));
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
  const effects: SimulatedEffects = { loadBalancer: true, deployments: true, ...options.effects };
  const count = options.clusters.length;
  const lastError = new Map<string, string>();
  let stopped = false;
  let paused = false;
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
    const sim = new ClusterSimulation(cluster, loadBalancerBlock(i, count), (e) => effects[e], emit);
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
  const unwatch = sims.map((sim) => watchChanges(sim.cluster.kubeConfig, () => schedulers.get(sim.cluster.name)!.wake()));
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
  };
}
