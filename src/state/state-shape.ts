// The shape a state must have before any code reads it: a hand-edited or damaged file with
// `units: [null]`, a negative serial or an object record without a ref is refused here, naming
// the first bad place, instead of failing later as "internal error" (issue 19).
import { UNIT_KINDS } from '../model/desired.js';

type Check = (v: unknown) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'a non-empty string');
const optStr: Check = (v) => (v === undefined || typeof v === 'string' ? undefined : 'a string');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const count: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'a whole number of at least 0');
const optCount: Check = (v) => (v === undefined ? undefined : count(v));
const oneOf =
  (...xs: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && xs.includes(v) ? undefined : `one of ${xs.join(', ')}`;
const strings: Check = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'a list of strings');
const stringMap: Check = (v) => (isRecord(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'a mapping of strings');

function fields(spec: Record<string, Check>): Check {
  return (v) => {
    if (!isRecord(v)) return 'an object';
    for (const [k, check] of Object.entries(spec)) {
      const why = check(v[k]);
      if (why) return `.${k}: ${why}`;
    }
    return undefined;
  };
}

const ref = fields({ apiVersion: str, kind: str, name: str, namespace: optStr });
const unitRecord = fields({ id: str, cluster: str, kind: oneOf(...UNIT_KINDS), dependsOn: strings, status: oneOf('applying', 'applied'), outputs: stringMap });
const objectRecord = fields({ unit: str, cluster: str, ref, status: oneOf('pending', 'applied'), existedBefore: bool, uid: optStr, resourceVersion: optStr, generation: optCount });
const connection = fields({ context: str, kubeconfig: optStr });

/** Where the state first departs from its format, or undefined when it has the shape. */
export function stateShapeProblem(s: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(s.version) || (s.version as number) < 1) return '"version" is not a format version (a whole number of at least 1)';
  for (const [k, check] of Object.entries({ lineage: str, meshID: str, serial: count, meshctlVersion: optStr })) {
    const why = check(s[k]);
    if (why) return `"${k}" is not ${why}`;
  }
  if (!Array.isArray(s.units)) return '"units" is not a list';
  for (const [i, u] of s.units.entries()) {
    const why = unitRecord(u);
    if (why) return `units[${i}] is not a unit record (${why})`;
  }
  if (!isRecord(s.objects)) return '"objects" is not a mapping';
  for (const [address, o] of Object.entries(s.objects)) {
    const why = objectRecord(o);
    if (why) return `objects["${address}"] is not an object record (${why})`;
  }
  if (s.clusters !== undefined) {
    if (!isRecord(s.clusters)) return '"clusters" is not a mapping';
    for (const [name, c] of Object.entries(s.clusters)) {
      const why = connection(c);
      if (why) return `clusters["${name}"] is not a connection record (${why})`;
    }
  }
  if (s.istio !== undefined) {
    const why = fields({ version: str })(s.istio);
    if (why) return `"istio" is not an installed version (${why})`;
  }
  return undefined;
}
