// Everything the commands reach outside the process through: the clusters, istioctl, the state
// backend, the trust material on disk and the clock. The real CLI runs with defaultPorts();
// tests pass in-memory clusters, a fixed renderer and a fixed clock and drive whole commands.
import type { Topology } from '../config/topology.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { connect, connectKubeconfigText, type ConnectOptions } from '../kube/connect.js';
import { openIstioctl, type Istioctl } from '../render/istioctl.js';
import { acquireLock, forceUnlock, readStateFile, type Lock } from '../state/local-file.js';
import type { MeshState } from '../state/state.js';
import { makeTrust, readTrust, type TrustMaterial } from './trust-material.js';

export interface StatePort {
  /** null when there is no state file yet. */
  read(file: string, meshID: string): Promise<MeshState | null>;
  lock(file: string, opts: { operation: string; version: string; timeoutMs: number }): Promise<Lock>;
  /** Removes the lock only when `id` is its ID. */
  forceUnlock(file: string, id: string): Promise<void>;
}

export interface TrustPort {
  /** Plan: what exists, creating nothing. */
  read(topology: Topology, now: Date): Promise<TrustMaterial>;
  /** Apply: what exists, plus what generated trust still has to issue. */
  make(topology: Topology, now: Date): Promise<TrustMaterial>;
}

export interface Ports {
  readonly connect: (opts: ConnectOptions) => ClusterClient;
  /** A client from a kubeconfig held in memory (a remote secret's), or why there is none. */
  readonly connectKubeconfig: typeof connectKubeconfigText;
  readonly istioctl: (opts: Parameters<typeof openIstioctl>[0]) => Promise<Istioctl>;
  readonly state: StatePort;
  readonly trust: TrustPort;
  readonly now: () => Date;
}

export function defaultPorts(): Ports {
  return {
    connect,
    connectKubeconfig: connectKubeconfigText,
    istioctl: openIstioctl,
    state: { read: readStateFile, lock: acquireLock, forceUnlock },
    trust: { read: readTrust, make: makeTrust },
    now: () => new Date(),
  };
}
