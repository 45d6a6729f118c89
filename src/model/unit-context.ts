// What every unit builder receives: the topology, the decisions taken once for the whole mesh,
// and the cluster the unit is for.
import type { ClusterSpec, Topology } from '../config/topology.js';
import type { MeshShape } from './mesh-shape.js';

export interface UnitContext {
  readonly topology: Topology;
  readonly shape: MeshShape;
  readonly cluster: ClusterSpec;
}

/** The primary controlling this cluster, when it is a remote. */
export function controllerOf(ctx: UnitContext): string | undefined {
  return ctx.shape.controllerOf.get(ctx.cluster.name);
}
