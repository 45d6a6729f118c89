// buildDesired: the validated topology → every unit of work per cluster, with dependencies,
// waits and after-apply unknowns. Pure: no I/O, no clock, no randomness; the same topology
// always gives the same (deeply equal) result.
import type { ClusterSpec, Topology } from '../config/topology.js';
import { cacertsUnit } from './cacerts.js';
import { controlPlaneUnit, crdsUnit } from './control-plane.js';
import type { DesiredResult, Unit } from './desired.js';
import { eastWestGatewayUnit } from './eastwest-gateway.js';
import { exposeIstiodUnit, exposeServicesUnit } from './expose.js';
import { meshShape, type MeshShape } from './mesh-shape.js';
import { namespaceUnit } from './namespace-unit.js';
import { compareUnits } from './order.js';
import { remoteReaderUnit } from './remote-reader.js';
import { remoteSecretUnit } from './remote-secret.js';
import { revisionTagsUnit } from './revision-tags.js';
import type { UnitContext } from './unit-context.js';
import { controlPlaneId } from './unit-id.js';

export function buildDesired(topology: Topology): DesiredResult {
  const shape = meshShape(topology);
  const units = shape.clusters.flatMap((cluster) => unitsOf({ topology, shape, cluster }));
  return {
    desired: { meshID: topology.meshID, units: units.sort(compareUnits), kept: keptUnits(topology, shape) },
    diagnostics: shape.diagnostics,
  };
}

function unitsOf(ctx: UnitContext): Unit[] {
  const { shape, topology } = ctx;
  const name = ctx.cluster.name;
  const units = [namespaceUnit(ctx)];
  if (topology.trust.mode !== 'none') units.push(cacertsUnit(ctx));
  const controlPlane = controlPlaneUnit(ctx);
  units.push(crdsUnit(ctx, controlPlane), controlPlane);
  if (topology.istio.revisionTags.length > 0) units.push(revisionTagsUnit(ctx, controlPlane));
  if (shape.gateways.has(name)) units.push(eastWestGatewayUnit(ctx));
  if (shape.controllers.has(name)) units.push(exposeIstiodUnit(ctx));
  // The guide applies the cross-network Gateway in every cluster of a multi-network mesh,
  // remotes included (the current page drops it on the remote; see docs/model.md).
  if (shape.multiNetwork) units.push(exposeServicesUnit(ctx));
  if (shape.readers.has(name)) units.push(remoteReaderUnit(ctx));
  units.push(...secretsHeldBy(ctx, shape));
  return units;
}

/** The control planes of istio.keepRevisions in every cluster; `default` is the unrevisioned one. */
function keptUnits(topology: Topology, shape: MeshShape): string[] {
  return shape.clusters.flatMap((c) => topology.istio.keepRevisions.map((rev) => controlPlaneId(c.name, rev === 'default' ? undefined : rev))).sort();
}

function secretsHeldBy(ctx: UnitContext, shape: MeshShape): Unit[] {
  return shape.secrets.filter((s) => s.target === ctx.cluster.name).map((s) => remoteSecretUnit(ctx, shapeSource(shape, s.source)));
}

function shapeSource(shape: MeshShape, name: string): ClusterSpec {
  const source = shape.clusters.find((c) => c.name === name);
  if (!source) throw new Error(`remote secret source "${name}" is not a built cluster: this is a bug in meshctl, please report it`);
  return source;
}
