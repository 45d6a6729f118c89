// Whether a cluster gets an east-west gateway, and with which settings. Shared by the
// semantic rules (which must know whether a gateway is required) and normalize.ts.
import type { EastWestGatewaySettings } from './topology.js';
import type { RawMesh } from './raw.js';

/** True when the clusters sit on more than one network. */
export function rawIsMultiNetwork(mesh: RawMesh): boolean {
  return new Set(Object.values(mesh.clusters).map((c) => c.network)).size > 1;
}

/** Remotes whose controlPlane is this cluster (for any role; rules check roles separately). */
export function controlledRemotes(mesh: RawMesh, name: string): string[] {
  return Object.entries(mesh.clusters)
    .filter(([, c]) => c.role === 'remote' && c.controlPlane === name)
    .map(([n]) => n)
    .sort();
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
