// Topology values for model tests, built directly (the mesh.yaml loader is not involved).
// Helpers are named after the guide pages they reproduce so a failing test reads as
// "the guide's remote cluster lost its annotation", not as a wall of literals.
import type { ClusterSpec, EastWestGatewaySettings, IstioSettings, Topology, TrustSettings } from '../../../src/config/topology.js';

export const generatedTrust: TrustSettings = { mode: 'generated', directory: '/work/mesh/trust' };

export function istio(version = '1.31.0', extra: Partial<Omit<IstioSettings, 'version' | 'semver'>> = {}): IstioSettings {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return {
    version,
    semver: [major, minor, patch],
    hub: 'docker.io/istio',
    tag: version,
    dataPlaneMode: 'sidecar',
    revisionTags: [],
    keepRevisions: [],
    ...extra,
  };
}

const defaultGateway: Omit<EastWestGatewaySettings, 'enabled'> = { serviceType: 'LoadBalancer', annotations: {} };

type ClusterOptions = Partial<Omit<ClusterSpec, 'name' | 'role' | 'eastWestGateway'>> & {
  eastWestGateway?: Partial<EastWestGatewaySettings>;
};

/**
 * A cluster; `eastWestGateway.enabled` left out means "the loader's default", which meshOf fills
 * in as the loader does (src/config/gateway.ts): enabled exactly when the cluster needs one.
 */
export function cluster(name: string, role: ClusterSpec['role'], o: ClusterOptions = {}): ClusterSpec {
  const { eastWestGateway, ...rest } = o;
  return {
    name,
    context: `kind-${name}`,
    network: 'network1',
    ...rest,
    role,
    eastWestGateway: { ...defaultGateway, ...eastWestGateway } as EastWestGatewaySettings,
  };
}

function withDefaultGateways(clusters: readonly ClusterSpec[]): ClusterSpec[] {
  const multiNetwork = new Set(clusters.map((c) => c.network)).size > 1;
  const needs = (c: ClusterSpec) => multiNetwork || (c.role === 'primary' && clusters.some((r) => r.role === 'remote' && r.controlPlane === c.name));
  return clusters.map((c) => (c.eastWestGateway.enabled === undefined ? { ...c, eastWestGateway: { ...c.eastWestGateway, enabled: needs(c) } } : c));
}

export function primary(name: string, o: ClusterOptions = {}): ClusterSpec {
  return cluster(name, 'primary', o);
}

export function remote(name: string, o: ClusterOptions & { controlPlane: string }): ClusterSpec {
  return cluster(name, 'remote', o);
}

export function meshOf(o: { clusters: readonly ClusterSpec[]; istio?: IstioSettings; trust?: TrustSettings; meshID?: string }): Topology {
  const clusters = withDefaultGateways(o.clusters).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    source: { file: '/work/mesh/mesh.yaml', digest: 'sha256:test' },
    meshID: o.meshID ?? 'mesh1',
    state: { backend: 'local', path: '/work/mesh/meshctl.state.json' },
    istio: o.istio ?? istio(),
    networks: [...new Set(clusters.map((c) => c.network))].sort(),
    trust: o.trust ?? generatedTrust,
    clusters,
  };
}

/** The seed guide: cluster1 primary on network1, cluster2 its remote on network2. */
export function guideTopology(o: { istio?: IstioSettings; trust?: TrustSettings } = {}): Topology {
  return meshOf({
    ...o,
    clusters: [primary('cluster1', { network: 'network1' }), remote('cluster2', { network: 'network2', controlPlane: 'cluster1' })],
  });
}

/** multi-primary page: two primaries on one network. */
export function multiPrimaryTopology(): Topology {
  return meshOf({ clusters: [primary('cluster1'), primary('cluster2')] });
}

/** multi-primary_multi-network page, with a third cluster on its own network. */
export function multiPrimaryMultiNetworkTopology(): Topology {
  return meshOf({
    clusters: [primary('cluster1', { network: 'network1' }), primary('cluster2', { network: 'network2' }), primary('cluster3', { network: 'network3' })],
  });
}

/** primary-remote page: one network, so only the primary gets an east-west gateway. */
export function primaryRemoteSameNetworkTopology(): Topology {
  return meshOf({ clusters: [primary('cluster1'), remote('cluster2', { controlPlane: 'cluster1' })] });
}

/** Two primaries, each with its own remote, on two networks (a mix no single page covers). */
export function severalPrimariesTopology(): Topology {
  return meshOf({
    clusters: [
      primary('east1', { network: 'east' }),
      remote('east2', { network: 'east', controlPlane: 'east1' }),
      primary('west1', { network: 'west' }),
      remote('west2', { network: 'west', controlPlane: 'west1' }),
    ],
  });
}
