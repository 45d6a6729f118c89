// Whether a cluster gets an east-west gateway, and with which settings. Shared by the
// semantic rules (which must know whether a gateway is required) and normalize.ts.
import type { EastWestGatewaySettings } from './topology.js';
import type { RawMesh } from './raw.js';

interface Shape {
  readonly multiNetwork: boolean;
  /** controlPlane name → its remotes, sorted. */
  readonly remotesOf: ReadonlyMap<string, readonly string[]>;
}

// The rules and normalize ask these questions once per cluster; answering each by scanning all
// clusters would make validation quadratic. The parsed document is never mutated, so one pass
// per document, remembered by identity, answers them all.
const shapes = new WeakMap<RawMesh, Shape>();

function shapeOf(mesh: RawMesh): Shape {
  let shape = shapes.get(mesh);
  if (shape) return shape;
  const networks = new Set<unknown>();
  const remotesOf = new Map<string, string[]>();
  for (const [name, c] of Object.entries(mesh.clusters)) {
    networks.add(c.network);
    if (c.role === 'remote' && typeof c.controlPlane === 'string') {
      const list = remotesOf.get(c.controlPlane) ?? [];
      list.push(name);
      remotesOf.set(c.controlPlane, list);
    }
  }
  for (const list of remotesOf.values()) list.sort();
  shape = { multiNetwork: networks.size > 1, remotesOf };
  shapes.set(mesh, shape);
  return shape;
}

/** True when the clusters sit on more than one network. */
export function rawIsMultiNetwork(mesh: RawMesh): boolean {
  return shapeOf(mesh).multiNetwork;
}

/** Remotes whose controlPlane is this cluster (for any role; rules check roles separately). */
export function controlledRemotes(mesh: RawMesh, name: string): string[] {
  return [...(shapeOf(mesh).remotesOf.get(name) ?? [])];
}

/**
 * Why this cluster needs an east-west gateway, or undefined when it does not.
 * Multi-network: cross-network traffic enters every cluster through it.
 * A primary with remotes: it exposes istiod (15012/15017) to them (expose-istiod.yaml).
 */
export function gatewayRequirement(mesh: RawMesh, name: string): 'multi-network' | 'exposes-istiod' | undefined {
  if (rawIsMultiNetwork(mesh)) return 'multi-network';
  const c = mesh.clusters[name];
  if (c?.role === 'primary' && controlledRemotes(mesh, name).length > 0) return 'exposes-istiod';
  return undefined;
}

export function effectiveGateway(mesh: RawMesh, name: string): EastWestGatewaySettings {
  const own = mesh.clusters[name]?.eastWestGateway ?? {};
  const meshWide = mesh.eastWestGateway ?? {};
  return {
    enabled: own.enabled ?? gatewayRequirement(mesh, name) !== undefined,
    serviceType: own.serviceType ?? meshWide.serviceType ?? 'LoadBalancer',
    annotations: { ...meshWide.annotations, ...own.annotations },
  };
}
