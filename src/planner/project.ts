// Server-side-apply-shaped comparison. meshctl only has opinions about the fields it sends,
// so the live object is projected onto the desired object's shape before comparing: fields
// the API server defaults, controllers fill or istiod patches are not drift.

import { isUnknown } from '../model/desired.js';
import { isSensitive } from '../kube/sensitive.js';
import { join } from './pointer.js';

type Json = unknown;

/**
 * Where a value sits relative to a `resources` key, the only place quantities compare by value
 * (the pointer matches /\/resources\//): 0 elsewhere, 1 the value of a `resources` key, 2 below
 * one. Carried down instead of the JSON Pointer itself: a plan compares every field of every
 * object (Istio's CRD schemas are most of them), and a pointer string per node would dominate
 * the comparison's time and garbage.
 */
type Place = 0 | 1 | 2;

function below(place: Place, key: string | number): Place {
  return place !== 0 ? 2 : key === 'resources' ? 1 : 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isMarker(v: unknown): boolean {
  return isUnknown(v) || isSensitive(v);
}

/**
 * The live value restricted to the keys present in the desired value. Where the server
 * only re-spelled a value ("2Gi" for "2048Mi"), the desired spelling is kept so diffs show
 * real differences only.
 */
export function project(desired: Json, live: Json): Json {
  return projectAt(desired, live, 0);
}

function projectAt(desired: Json, live: Json, place: Place): Json {
  if (live === undefined || isMarker(desired)) return live;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return live;
    return live.map((l, i) => (i < desired.length ? projectAt(desired[i], l, below(place, i)) : l));
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return live;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(desired)) {
      if (k in live) out[k] = projectAt(desired[k], live[k], below(place, k));
    }
    return out;
  }
  if (sameQuantity(desired, live, place)) return desired;
  return live;
}

function sameQuantity(desired: Json, live: Json, place: Place): boolean {
  if (typeof desired !== 'string' || typeof live !== 'string' || desired === live || place !== 2) return false;
  const a = parseQuantity(desired);
  return a !== undefined && a === parseQuantity(live);
}

/**
 * Kubernetes omits zero values ("", 0, false) of omitempty fields when it stores an object,
 * so a desired zero value is satisfied by absence (e.g. an env var with `value: ""`).
 */
function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * Does the live value satisfy the desired one? Unknown markers never do (their value is
 * not known yet). Null desired values match anything; empty ones match absence, as the API
 * server drops them.
 * Resource quantities compare by value ("2000m" equals "2").
 */
export function satisfies(desired: Json, live: Json, opts: { unknownMatches?: boolean } = {}): boolean {
  return satisfiesAt(desired, live, opts, 0);
}

function satisfiesAt(desired: Json, live: Json, opts: { unknownMatches?: boolean }, place: Place): boolean {
  if (isUnknown(desired)) return opts.unknownMatches === true;
  if (isSensitive(desired)) return isSensitive(live) && live.$sensitive === desired.$sensitive;
  // A null in an apply request states no opinion (server-side apply drops it), and fields
  // like metadata.creationTimestamp, which Go-serialised manifests carry as null, are filled
  // by the server whatever is sent: comparing them made every plan after apply an update.
  if (desired === null) return true;
  if (isEmpty(desired)) return isEmpty(live) || (Array.isArray(desired) && Array.isArray(live) && live.length === 0);
  if (isZero(desired) && live === undefined) return true;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => satisfiesAt(d, live[i], opts, below(place, i)));
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return false;
    return Object.keys(desired).every((k) => satisfiesAt(desired[k], live[k], opts, below(place, k)));
  }
  // Numbers too: Helm renders `cpu: 1` as a YAML number, the server returns the string "1".
  if ((typeof desired === 'string' || typeof desired === 'number') && typeof live === 'string' && desired !== live && place === 2) {
    const a = parseQuantity(String(desired));
    const b = parseQuantity(live);
    return a !== undefined && a === b;
  }
  return desired === live;
}

/**
 * `project(desired, live)` and whether `satisfies(desired, that projection)`, in one walk.
 *
 * The planner asks both of every object it finds in place, and most are unchanged: a no-op plan
 * is a walk over every field of every object (Istio's CRDs are most of them), so walking once
 * instead of twice is most of the plan's own CPU time. The rules are those of projectAt and
 * satisfiesAt above, applied to the projection as it is built; a property test in
 * test/unit/planner/project.test.ts keeps the two answers identical.
 */
export function projectAndCompare(desired: Json, live: Json): { readonly before: Json; readonly satisfied: boolean } {
  // Most objects of a plan are in place exactly as meshctl would send them: then the projection
  // is the desired value itself, and one walk that allocates nothing proves it.
  if (projectsToItself(desired, live, 0)) return { before: desired, satisfied: true };
  const verdict = { satisfied: true };
  const before = projectChecked(desired, live, 0, verdict);
  return { before, satisfied: verdict.satisfied };
}

/**
 * Whether project(desired, live) deep-equals desired, which holds no unknown marker (so it
 * also satisfies itself): the same case analysis as projectAt, answering instead of building.
 */
function projectsToItself(desired: Json, live: Json, place: Place): boolean {
  if (live === undefined || isUnknown(desired)) return false;
  if (isSensitive(desired)) return isSensitive(live) && sameMarker(desired, live);
  if (desired === null) return live === null;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    for (let i = 0; i < desired.length; i++) if (!projectsToItself(desired[i], live[i], below(place, i))) return false;
    return true;
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return false;
    for (const k of Object.keys(desired)) if (!(k in live) || !projectsToItself(desired[k], live[k], below(place, k))) return false;
    return true;
  }
  return desired === live || sameQuantity(desired, live, place);
}

/** Two Sensitive markers with the same fields (digest, certificate fingerprints). */
function sameMarker(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => JSON.stringify((a as Record<string, unknown>)[k]) === JSON.stringify((b as Record<string, unknown>)[k]));
}

function projectChecked(desired: Json, live: Json, place: Place, verdict: { satisfied: boolean }): Json {
  if (isUnknown(desired)) {
    verdict.satisfied = false;
    return live;
  }
  if (isSensitive(desired)) {
    if (!(isSensitive(live) && live.$sensitive === desired.$sensitive)) verdict.satisfied = false;
    return live;
  }
  if (desired === null || live === undefined) {
    // The projection is the live value itself. null states no opinion; absence satisfies an
    // empty or zero desired value only.
    if (desired !== null && !isEmpty(desired) && !isZero(desired)) verdict.satisfied = false;
    return live;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) {
      if (!(desired.length === 0 && isEmpty(live))) verdict.satisfied = false;
      return live;
    }
    if (live.length !== desired.length) verdict.satisfied = false;
    const out = new Array<unknown>(live.length);
    for (let i = 0; i < live.length; i++) out[i] = i < desired.length ? projectChecked(desired[i], live[i], below(place, i), verdict) : live[i];
    return out;
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) {
      if (!(isEmpty(desired) && isEmpty(live))) verdict.satisfied = false;
      return live;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(desired)) {
      if (k in live) out[k] = projectChecked(desired[k], live[k], below(place, k), verdict);
      else if (!satisfiesAt(desired[k], undefined, {}, below(place, k))) verdict.satisfied = false;
    }
    return out;
  }
  if (sameQuantity(desired, live, place)) return desired;
  if (!satisfiesAt(desired, live, {}, place)) verdict.satisfied = false;
  return live;
}

/** JSON Pointers of every Unknown marker inside a value. */
export function unknownPaths(v: Json): string[] {
  const out: string[] = [];
  collectUnknown(v, [], out);
  return out;
}

// A pointer is built only for a marker found: walking the (mostly marker-free) objects of a
// plan must not allocate a string per field.
function collectUnknown(v: Json, path: (string | number)[], out: string[]): void {
  if (typeof v !== 'object' || v === null) return;
  if (isUnknown(v)) {
    out.push(path.reduce<string>((p, t) => join(p, t), ''));
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      collectUnknown(v[i], path, out);
      path.pop();
    }
    return;
  }
  for (const k of Object.keys(v)) {
    path.push(k);
    collectUnknown((v as Record<string, unknown>)[k], path, out);
    path.pop();
  }
}

const suffixes: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Kubernetes resource.Quantity as a number, or undefined when it is not one. */
export function parseQuantity(q: string): number | undefined {
  const m = /^([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]*)$/.exec(q);
  if (!m) return undefined;
  const factor = suffixes[m[3] ?? ''];
  if (factor === undefined) return undefined;
  const n = Number(m[1]) * 10 ** Number(m[2] ?? 0) * factor;
  // Round away floating error so "0.1" and "100m" compare equal.
  return Number.isFinite(n) ? Math.round(n * 1e9) / 1e9 : undefined;
}
