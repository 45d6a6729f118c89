// RawMesh (as written) → Topology (every default filled in, paths absolute, clusters sorted).
// Runs only on a document without errors, so it never has to report anything.
import { absolutePath } from './finding.js';
import { effectiveGateway } from './gateway.js';
import { parseIstioVersion } from './istio-versions.js';
import { clusterEntries, type RawCluster, type RawMesh, type RawState, type RawTrust } from './raw.js';
import type { ClusterSpec, IstioSettings, StateSettings, Topology, TrustSettings } from './topology.js';

export const DEFAULT_HUB = 'docker.io/istio';
export const DEFAULT_TRUST_DIRECTORY = './trust';
export const DEFAULT_STATE_FILE = './meshctl.state.json';
export const DEFAULT_STATE_NAMESPACE = 'meshctl-system';
export const DEFAULT_LEASE_SECONDS = 60;

export interface NormalizeInput {
  readonly mesh: RawMesh;
  /** Absolute path of mesh.yaml. */
  readonly file: string;
  readonly baseDir: string;
  /** The exact bytes read, for the digest saved plans are checked against. */
  readonly bytes: Uint8Array;
}

export function sha256(bytes: Uint8Array): string {
  // Looked up on use: loading node:crypto costs start-up time, and `meshctl validate`, the
  // command that must start fastest, never needs the digest.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');
}

/** mesh.yaml's path and digest, the digest computed on first read. */
function sourceOf(file: string, bytes: Uint8Array): Topology['source'] {
  let digest: string | undefined;
  return {
    file,
    get digest() {
      return (digest ??= sha256(bytes));
    },
  };
}

export function normalize(input: NormalizeInput): Topology {
  const { mesh } = input;
  return {
    source: sourceOf(input.file, input.bytes),
    meshID: mesh.meshID,
    istio: istioSettings(mesh),
    networks: [...mesh.networks],
    trust: trustSettings(mesh.trust, input.baseDir),
    state: stateSettings(mesh.state, input.baseDir),
    clusters: clusterEntries(mesh).map(([name, c]) => clusterSpec(input, name, c)),
  };
}

function istioSettings(mesh: RawMesh): IstioSettings {
  const { istio } = mesh;
  const semver = parseIstioVersion(istio.version);
  if (!semver) throw new Error(`normalize: unchecked Istio version ${istio.version}; this is a bug in meshctl, please report it.`);
  return {
    version: istio.version,
    semver,
    ...(istio.revision !== undefined ? { revision: istio.revision } : {}),
    revisionTags: [...(istio.revisionTags ?? [])].sort(),
    keepRevisions: [...(istio.keepRevisions ?? [])].sort(),
    hub: istio.hub ?? DEFAULT_HUB,
    tag: istio.tag ?? istio.version,
    dataPlaneMode: istio.dataPlaneMode ?? 'sidecar',
  };
}

function trustSettings(trust: RawTrust | undefined, baseDir: string): TrustSettings {
  const at = (p: string) => absolutePath({ baseDir }, p);
  if (trust?.none) return { mode: 'none' };
  if (trust?.provided) {
    const clusters: Record<string, { cert: string; key: string; chain: string }> = {};
    for (const name of Object.keys(trust.provided.clusters).sort()) {
      const f = trust.provided.clusters[name]!;
      clusters[name] = { cert: at(f.cert), key: at(f.key), chain: at(f.chain) };
    }
    return { mode: 'provided', rootCert: at(trust.provided.rootCert), clusters };
  }
  return { mode: 'generated', directory: at(trust?.generated?.directory ?? DEFAULT_TRUST_DIRECTORY) };
}

function stateSettings(state: RawState | undefined, baseDir: string): StateSettings {
  const k = state?.kubernetes;
  if (k) {
    return {
      backend: 'kubernetes',
      context: k.context,
      ...(k.kubeconfig !== undefined ? { kubeconfig: absolutePath({ baseDir }, k.kubeconfig) } : {}),
      namespace: k.namespace ?? DEFAULT_STATE_NAMESPACE,
      leaseDurationSeconds: k.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS,
    };
  }
  return { backend: 'local', path: absolutePath({ baseDir }, state?.local?.path ?? DEFAULT_STATE_FILE) };
}

function clusterSpec(input: NormalizeInput, name: string, c: RawCluster): ClusterSpec {
  return {
    name,
    context: c.context,
    ...(c.kubeconfig !== undefined ? { kubeconfig: absolutePath(input, c.kubeconfig) } : {}),
    role: c.role,
    network: c.network,
    ...(c.controlPlane !== undefined ? { controlPlane: c.controlPlane } : {}),
    ...(c.apiServer !== undefined ? { apiServer: c.apiServer } : {}),
    eastWestGateway: effectiveGateway(input.mesh, name),
    ...(c.istioOperator !== undefined ? { istioOperatorOverlay: c.istioOperator } : {}),
  };
}
