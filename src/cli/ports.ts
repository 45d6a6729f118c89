// Everything the commands reach outside the process through: the clusters, istioctl, the state
// backend, the trust material on disk and the clock. The real CLI runs with defaultPorts();
// tests pass in-memory clusters, a fixed renderer and a fixed clock and drive whole commands.
import type { Topology } from '../config/topology.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { connect, connectKubeconfigText, type ConnectOptions } from '../kube/connect.js';
import { openIstioctl, type Istioctl } from '../render/istioctl.js';
import type { StateSettings } from '../config/topology.js';
import type { StateBackend } from '../state/backend.js';
import { KubernetesStateBackend } from '../state/kubernetes.js';
import { LocalStateBackend } from '../state/local-file.js';
import { makeTrust, readTrust, type MakeOptions, type TrustContext, type TrustMaterial } from './trust-material.js';

/** Opens the backend mesh.yaml's `state:` names (the local file unless it says otherwise). */
export type StatePort = (where: StateSettings, ctx: { readonly meshID: string; readonly env: NodeJS.ProcessEnv; readonly connect: Ports['connect'] }) => StateBackend;

/**
 * Generated material lives in the trust directory, or in a Secret beside a Kubernetes state
 * (reached through `ctx`, as the state backend is); provided material in the user's files.
 */
export interface TrustPort {
  /** Plan: what exists, creating nothing. */
  read(topology: Topology, now: Date, ctx: TrustContext): Promise<TrustMaterial>;
  /** Apply: what exists, plus what generated trust still has to issue. */
  make(topology: Topology, now: Date, ctx: TrustContext & MakeOptions): Promise<TrustMaterial>;
}

export interface Ports {
  readonly connect: (opts: ConnectOptions) => ClusterClient;
  /** A client from a kubeconfig held in memory (a remote secret's), or why there is none. */
  readonly connectKubeconfig: typeof connectKubeconfigText;
  readonly istioctl: (opts: Parameters<typeof openIstioctl>[0]) => Promise<Istioctl>;
  readonly state: StatePort;
  readonly trust: TrustPort;
  readonly now: () => Date;
  /**
   * Calls `handler` on Ctrl-C or SIGTERM while an apply runs; returns how to stop listening.
   * A second signal exits at once, as Terraform does (the state may then miss what was in flight).
   */
  readonly onInterrupt: (handler: () => void) => () => void;
}

export function defaultPorts(): Ports {
  return {
    connect,
    connectKubeconfig: connectKubeconfigText,
    istioctl: openIstioctl,
    state: openState,
    trust: { read: readTrust, make: makeTrust },
    now: () => new Date(),
    onInterrupt: processInterrupts,
  };
}

function processInterrupts(handler: () => void): () => void {
  let seen = 0;
  const on = () => {
    if (++seen > 1) {
      process.stderr.write('\nTwo interrupts received: exiting at once. The state lock may be left (meshctl force-unlock), and the state may miss what was in flight.\n');
      process.exit(130);
    }
    handler();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
}

export function openState(where: StateSettings, ctx: Parameters<StatePort>[1]): StateBackend {
  if (where.backend === 'local') return new LocalStateBackend(where.path, ctx.meshID);
  const client = ctx.connect({ cluster: 'state backend', context: where.context, ...(where.kubeconfig ? { kubeconfig: where.kubeconfig } : {}), env: ctx.env });
  return new KubernetesStateBackend({
    caller: { describe: client.describe, call: (method, path, opts) => client.call(method, path, opts) },
    namespace: where.namespace,
    meshID: ctx.meshID,
    leaseDurationSeconds: where.leaseDurationSeconds,
    close: () => client.close(),
  });
}
