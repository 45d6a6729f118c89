// mesh.yaml as written, after it has passed the JSON Schema: every optional key may be
// absent. Semantic rules read this form (they must tell "unset" from "set to the default");
// normalize.ts turns it into the Topology, where every default is filled in.
import type { ClusterRole, DataPlaneMode, ServiceType } from './topology.js';

export interface RawMesh {
  readonly apiVersion: 'meshctl.io/v1alpha1';
  readonly kind: 'Mesh';
  readonly meshID: string;
  readonly istio: RawIstio;
  readonly networks: readonly string[];
  readonly trust?: RawTrust;
  readonly state?: RawState;
  readonly eastWestGateway?: RawMeshGateway;
  readonly clusters: Readonly<Record<string, RawCluster>>;
}

export interface RawIstio {
  readonly version: string;
  readonly revision?: string;
  readonly revisionTags?: readonly string[];
  readonly keepRevisions?: readonly string[];
  readonly hub?: string;
  readonly tag?: string;
  readonly dataPlaneMode?: DataPlaneMode;
}

export interface RawTrust {
  readonly generated?: { readonly directory?: string };
  readonly provided?: {
    readonly rootCert: string;
    readonly clusters: Readonly<Record<string, { readonly cert: string; readonly key: string; readonly chain: string }>>;
  };
  readonly none?: Record<string, never>;
}

export interface RawState {
  readonly local?: { readonly path?: string };
  readonly kubernetes?: { readonly context: string; readonly kubeconfig?: string; readonly namespace?: string; readonly leaseDurationSeconds?: number };
}

export interface RawMeshGateway {
  readonly serviceType?: ServiceType;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RawClusterGateway extends RawMeshGateway {
  readonly enabled?: boolean;
}

export interface RawCluster {
  readonly context: string;
  readonly kubeconfig?: string;
  readonly role: ClusterRole;
  readonly network: string;
  readonly controlPlane?: string;
  readonly apiServer?: string;
  readonly eastWestGateway?: RawClusterGateway;
  readonly istioOperator?: Readonly<Record<string, unknown>>;
}

/** Cluster entries in name order, the order every later stage uses. */
export function clusterEntries(mesh: RawMesh): Array<[string, RawCluster]> {
  return Object.entries(mesh.clusters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
