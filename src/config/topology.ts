// The validated, normalised form of mesh.yaml that every later stage consumes. Defaults are
// filled in here (by the loader), so the model never has to ask "was this set?".
// Plain data: serialisable, comparable, no methods.

/**
 * primary: runs istiod. remote: istiod-less, controlled by a primary. external: hosts istiod
 * for remotes in a separate cluster (external control-plane model; fits the format, cannot
 * be applied yet).
 */
export type ClusterRole = 'primary' | 'remote' | 'external';
export type ServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';
export type DataPlaneMode = 'sidecar' | 'ambient';

export interface IstioSettings {
  /** Full release, e.g. "1.31.0". */
  readonly version: string;
  /** [major, minor, patch] parsed from version. */
  readonly semver: readonly [number, number, number];
  /** Control-plane revision; undefined means the default (unrevisioned) install. */
  readonly revision?: string;
  /** Revision tags pointing at `revision` (istioctl tag set); sorted, may be empty. */
  readonly revisionTags: readonly string[];
  /** Earlier revisions whose control planes are left installed and untouched; sorted, may be empty. */
  readonly keepRevisions: readonly string[];
  /** Image hub and tag rendered into manifests (defaults: docker.io/istio and the version). */
  readonly hub: string;
  readonly tag: string;
  /** sidecar (default) or ambient; ambient fits the format but cannot be applied yet. */
  readonly dataPlaneMode: DataPlaneMode;
}

export interface EastWestGatewaySettings {
  readonly enabled: boolean;
  readonly serviceType: ServiceType;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ClusterSpec {
  /** The Istio cluster ID, used verbatim everywhere Istio needs it. */
  readonly name: string;
  /** kubeconfig context. */
  readonly context: string;
  /** kubeconfig file for this cluster; undefined means KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly role: ClusterRole;
  readonly network: string;
  /** For remotes: the primary whose istiod controls this cluster. */
  readonly controlPlane?: string;
  /**
   * The API server URL that primaries put into this cluster's remote secret, when the
   * kubeconfig's server is not reachable from them (e.g. a loopback address).
   */
  readonly apiServer?: string;
  readonly eastWestGateway: EastWestGatewaySettings;
  /** Escape hatch: merged over the generated control-plane IstioOperator's spec. */
  readonly istioOperatorOverlay?: Readonly<Record<string, unknown>>;
}

export type TrustSettings =
  | {
      readonly mode: 'generated';
      /** Where the root CA key and certificate are kept (absolute path). */
      readonly directory: string;
    }
  | {
      readonly mode: 'provided';
      /** Absolute paths. */
      readonly rootCert: string;
      readonly clusters: Readonly<Record<string, { readonly cert: string; readonly key: string; readonly chain: string }>>;
    }
  | {
      /** The user manages cacerts themselves (or accepts istiod's self-signed root). */
      readonly mode: 'none';
    };

export interface Topology {
  /** Absolute path of mesh.yaml, and the sha256 of its bytes (for saved-plan staleness). */
  readonly source: { readonly file: string; readonly digest: string };
  readonly meshID: string;
  readonly istio: IstioSettings;
  readonly networks: readonly string[];
  readonly trust: TrustSettings;
  readonly state: StateSettings;
  /** Sorted by name. */
  readonly clusters: readonly ClusterSpec[];
}

export function clusterByName(t: Topology, name: string): ClusterSpec | undefined {
  return t.clusters.find((c) => c.name === name);
}

/** True when clusters sit on more than one network: cross-network gateways are then needed. */
export function isMultiNetwork(t: Topology): boolean {
  return new Set(t.clusters.map((c) => c.network)).size > 1;
}

/** Where the state and its lock live (docs/state-backends.md). */
export type StateSettings =
  | {
      readonly backend: 'local';
      /** Absolute path of the state file (--state overrides it). */
      readonly path: string;
    }
  | {
      readonly backend: 'kubernetes';
      readonly context: string;
      /** Absolute path; undefined means KUBECONFIG / ~/.kube/config. */
      readonly kubeconfig?: string;
      readonly namespace: string;
      readonly leaseDurationSeconds: number;
    };
