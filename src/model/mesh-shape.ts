// Which clusters get which units: the decisions buildDesired makes once, from the topology
// alone, before any unit is written. Also where models that apply cannot handle yet are
// turned into diagnostics; their clusters are left out so no unit refers to a missing one.
import { error, type Diagnostic } from '../diagnostics.js';
import { clusterByName, isMultiNetwork, type ClusterSpec, type Topology } from '../config/topology.js';

export interface MeshShape {
  /** Clusters that get units, sorted by name. */
  readonly clusters: readonly ClusterSpec[];
  readonly multiNetwork: boolean;
  /** remote name → name of the primary whose istiod controls it. */
  readonly controllerOf: ReadonlyMap<string, string>;
  /** Primaries that control at least one remote (they need external istiod + expose-istiod). */
  readonly controllers: ReadonlySet<string>;
  /** Clusters that get an east-west gateway. */
  readonly gateways: ReadonlySet<string>;
  /** Clusters whose reader token some primary needs (source side of create-remote-secret). */
  readonly readers: ReadonlySet<string>;
  /** (target primary, source cluster) pairs: a remote secret for `source` lives in `target`. */
  readonly secrets: readonly { readonly target: string; readonly source: string }[];
  readonly diagnostics: readonly Diagnostic[];
}

const notSupported = 'Not supported by apply yet';

export function meshShape(t: Topology): MeshShape {
  const diagnostics: Diagnostic[] = [];
  const multiNetwork = isMultiNetwork(t);
  if (t.istio.dataPlaneMode === 'ambient') {
    diagnostics.push(
      error(notSupported, 'The ambient data plane mode fits mesh.yaml but meshctl cannot install it yet, so no cluster will be changed. Use dataPlaneMode: sidecar to apply this mesh.', {
        path: 'istio.dataPlaneMode',
      }),
    );
    return emptyShape({ multiNetwork, diagnostics });
  }

  // A primary "controls" remotes when the topology says so, whether or not those remotes can
  // be built: its own units must not change because a remote elsewhere is left out.
  const controllers = new Set(t.clusters.filter((c) => c.role === 'remote' && c.controlPlane !== undefined).map((c) => c.controlPlane!));
  const needsGateway = (c: ClusterSpec): boolean => multiNetwork || (c.role === 'primary' && controllers.has(c.name));

  const excluded = new Set<string>();
  for (const c of t.clusters) {
    const reason = exclusionReason(t, c, needsGateway(c));
    if (reason) {
      excluded.add(c.name);
      diagnostics.push(reason);
    }
  }
  // A remote cannot be built without its primary: leave out remotes of left-out primaries.
  for (const c of t.clusters) {
    if (c.role === 'remote' && !excluded.has(c.name) && excluded.has(c.controlPlane ?? '')) {
      excluded.add(c.name);
      diagnostics.push(
        error('Primary cannot be applied', `Remote cluster "${c.name}" is left out because its primary "${c.controlPlane}" cannot be applied (see the other errors).`, {
          path: `clusters.${c.name}.controlPlane`,
        }),
      );
    }
  }

  const clusters = [...t.clusters].filter((c) => !excluded.has(c.name)).sort(byName);
  const primaries = clusters.filter((c) => c.role === 'primary');
  const controllerOf = new Map<string, string>();
  for (const c of clusters) if (c.role === 'remote') controllerOf.set(c.name, c.controlPlane!);

  // Every primary's istiod watches every other cluster's API server: its remotes (which it
  // also manages) and, in multi-primary, the other primaries and their remotes.
  const secrets = primaries.flatMap((target) => clusters.filter((source) => source.name !== target.name).map((source) => ({ target: target.name, source: source.name })));
  return {
    clusters,
    multiNetwork,
    controllerOf,
    controllers: new Set(primaries.filter((p) => controllers.has(p.name)).map((p) => p.name)),
    // Needed, or asked for (the loader defaults `enabled` to "needed", so an explicit true on
    // a cluster that needs none is the user's wish, e.g. for VMs).
    gateways: new Set(clusters.filter((c) => needsGateway(c) || c.eastWestGateway.enabled).map((c) => c.name)),
    readers: new Set(secrets.map((s) => s.source)),
    secrets,
    diagnostics,
  };
}

function exclusionReason(t: Topology, c: ClusterSpec, needsGateway: boolean): Diagnostic | undefined {
  const path = `clusters.${c.name}`;
  if (c.role === 'external') {
    return error(notSupported, `Cluster "${c.name}" has role external: the external control-plane model fits mesh.yaml but meshctl cannot install it yet, so this cluster will not be changed.`, {
      path: `${path}.role`,
    });
  }
  if (c.role === 'remote') {
    const primary = c.controlPlane === undefined ? undefined : clusterByName(t, c.controlPlane);
    if (primary?.role === 'external') {
      return error(notSupported, `Remote cluster "${c.name}" is controlled by the external control plane "${primary.name}", which meshctl cannot install yet, so this cluster will not be changed.`, {
        path: `${path}.controlPlane`,
      });
    }
    if (primary?.role !== 'primary') {
      return error(
        'Remote without a primary',
        `Remote cluster "${c.name}" names "${c.controlPlane ?? ''}" as its control plane, which is not a primary cluster of this mesh. Validation should have rejected this: this is a bug in meshctl, please report it.`,
        { path: `${path}.controlPlane` },
      );
    }
  }
  if (needsGateway && !c.eastWestGateway.enabled) {
    return error(
      'East-west gateway required',
      `Cluster "${c.name}" needs an east-west gateway (the mesh spans several networks, or its istiod serves remote clusters through it), but eastWestGateway.enabled is false. Enable it to apply this cluster.`,
      { path: `${path}.eastWestGateway.enabled` },
    );
  }
  return undefined;
}

function emptyShape(o: { multiNetwork: boolean; diagnostics: Diagnostic[] }): MeshShape {
  return {
    clusters: [],
    multiNetwork: o.multiNetwork,
    controllerOf: new Map(),
    controllers: new Set(),
    gateways: new Set(),
    readers: new Set(),
    secrets: [],
    diagnostics: o.diagnostics,
  };
}

function byName(a: ClusterSpec, b: ClusterSpec): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
