// The fixed order units are listed in: by cluster, then by kind in the guide's order, then (for
// remote secrets) by source cluster. A listing order only, for stable output; the apply order
// comes from dependsOn.
import { assertNever, type Unit, type UnitKind } from './desired.js';

export function unitKindRank(kind: UnitKind): number {
  switch (kind) {
    case 'namespace':
      return 0;
    case 'cacerts':
      return 1;
    case 'crds':
      return 2;
    case 'control-plane':
      return 3;
    case 'revision-tags':
      return 4;
    case 'eastwest-gateway':
      return 5;
    case 'expose-istiod':
      return 6;
    case 'expose-services':
      return 7;
    case 'remote-reader':
      return 8;
    case 'remote-secret':
      return 9;
    case 'istiod-leftovers':
      return 10;
    default:
      return assertNever(kind, 'unit kind');
  }
}

export function compareUnits(a: Unit, b: Unit): number {
  return compareStrings(a.cluster, b.cluster) || unitKindRank(a.kind) - unitKindRank(b.kind) || compareStrings(a.id, b.id);
}

/** Code-unit order, not locale order: the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
