// The whole local test environment: N real clusters plus the simulator, started and stopped as
// one. Shared by the e2e global setup and the `npm run clusters` daemon so both behave alike.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startClusterSet, type ClusterSet } from './cluster-set.js';
import { startSimulator, type SimulatedEffects, type Simulator, type SimulatorEvent } from './simulator.js';
import { ISTIOD_RUNNER_ENV, startIstiodRunner, type IstiodRunner } from './istiod/runner.js';

/** Plain data about a running environment; what tests receive (see e2e.ts). */
export interface EnvironmentInfo {
  /** One kubeconfig with a context per cluster; admin client certificates, CA embedded. */
  kubeconfigPath: string;
  /** cluster1..clusterN; also the cluster IDs the simulated istiod recognises. */
  contexts: string[];
  /** Directory holding etcd, kube-apiserver, kube-controller-manager, kubectl, istioctl and pilot-discovery. */
  binDir: string;
  clusters: Array<{ context: string; server: string; loadBalancerCidr: string; pids: number[] }>;
  /** Every simulator action and error, one line each. */
  simulatorLog: string;
  /** What the API servers tried to dial off loopback, refused by the egress trap (egress-trap.ts). */
  egressLog: string;
  /** The istiod runner's state file (istiod/state.ts): where each real istiod listens and logs; absent with MESHCTL_ISTIOD=off. */
  istiodState?: string;
}

export interface Environment {
  info: EnvironmentInfo;
  set: ClusterSet;
  simulator: Simulator;
  /** A real istiod (pilot-discovery) per Available istiod Deployment (istiod/runner.ts). */
  istiod?: IstiodRunner;
  stop(): Promise<void>;
}

export function kubeConfigForContext(kubeconfigPath: string, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kc.setCurrentContext(context);
  return kc;
}

export const formatEvent = (e: SimulatorEvent) => `${new Date().toISOString()} ${e.error ? 'ERROR' : 'info '} ${e.cluster} ${e.effect}: ${e.message}`;

export async function startEnvironment(options: { binDir: string; count: number; parentDir?: string; simulatorEffects?: Partial<SimulatedEffects>; istiod?: boolean }): Promise<Environment> {
  const set = await startClusterSet({ binDir: options.binDir, count: options.count, parentDir: options.parentDir });
  const simulatorLog = join(set.dir, 'simulator.log');
  let simulator: Simulator;
  try {
    simulator = await startSimulator({
      clusters: set.contexts.map((name) => ({ name, kubeConfig: kubeConfigForContext(set.kubeconfigPath, name) })),
      effects: options.simulatorEffects,
      onEvent: (e) => appendFileSync(simulatorLog, `${formatEvent(e)}\n`),
    });
  } catch (err) {
    await set.stop();
    throw new Error(`Could not start the simulator: ${(err as Error).message}`);
  }
  // Real istiods, as pods would run them, unless MESHCTL_ISTIOD=off (a debugging switch).
  let istiod: IstiodRunner | undefined;
  if (options.istiod ?? process.env[ISTIOD_RUNNER_ENV] !== 'off') {
    try {
      istiod = await startIstiodRunner({
        clusters: set.contexts.map((name) => ({ name, kubeConfig: kubeConfigForContext(set.kubeconfigPath, name) })),
        binDir: options.binDir,
        dir: join(set.dir, 'istiod'),
      });
    } catch (err) {
      await simulator.stop();
      await set.stop();
      throw new Error(`Could not start the istiod runner: ${(err as Error).message}`);
    }
  }
  const info: EnvironmentInfo = {
    kubeconfigPath: set.kubeconfigPath,
    egressLog: set.egressLog,
    contexts: set.contexts,
    binDir: options.binDir,
    clusters: set.clusters.map((c) => ({
      context: c.name,
      server: c.server,
      loadBalancerCidr: simulator.loadBalancerCidr(c.name),
      pids: c.processes.map((p) => p.pid),
    })),
    simulatorLog,
    ...(istiod ? { istiodState: istiod.stateFile } : {}),
  };
  return {
    info,
    set,
    simulator,
    ...(istiod ? { istiod } : {}),
    async stop() {
      await istiod?.stop();
      await simulator.stop();
      await set.stop();
    },
  };
}
