// Unit ids, the one way units are named in dependsOn, Unknown markers, plans and state.
import type { UnitKind } from './desired.js';

/** "<cluster>/<kind>" for every kind except remote-secret and control-plane. */
export function unitId(cluster: string, kind: Exclude<UnitKind, 'remote-secret' | 'control-plane'>): string {
  return `${cluster}/${kind}`;
}

/**
 * "<cluster>/control-plane", or "<cluster>/control-plane/<revision>" for a revisioned one: each
 * revision is a unit of its own, so a new revision is installed beside the old one (a canary)
 * and the old one removed as a unit, after everything that replaces it.
 */
export function controlPlaneId(cluster: string, revision: string | undefined): string {
  return revision ? `${cluster}/control-plane/${revision}` : `${cluster}/control-plane`;
}

/** "<target>/remote-secret/<source>": the secret for `source` applied in `target`. */
export function remoteSecretId(target: string, source: string): string {
  return `${target}/remote-secret/${source}`;
}
