// Unit ids, the one way units are named in dependsOn, Unknown markers, plans and state.
import type { UnitKind } from './desired.js';

/** "<cluster>/<kind>" for every kind except remote-secret, which has one unit per source. */
export function unitId(cluster: string, kind: Exclude<UnitKind, 'remote-secret'>): string {
  return `${cluster}/${kind}`;
}

/** "<target>/remote-secret/<source>": the secret for `source` applied in `target`. */
export function remoteSecretId(target: string, source: string): string {
  return `${target}/remote-secret/${source}`;
}
