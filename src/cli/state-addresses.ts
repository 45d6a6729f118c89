// What the state commands' arguments name: object addresses (cluster/Kind.group/namespace/name)
// and unit IDs (cluster/kind), as `meshctl state list` prints them. Prefixes match whole
// segments ("cluster1" selects cluster1/…, not cluster10/…). A name the state does not hold is
// refused with the closest names it does hold.
import { editDistance } from '../config/suggest.js';
import { DiagnosticsError, error, type Diagnostic } from '../diagnostics.js';
import type { MeshState, ObjectRecord, UnitRecord } from '../state/state.js';

/** A unit and its objects in state order; no record when only its objects name it. */
export interface UnitEntry {
  readonly id: string;
  readonly record?: UnitRecord;
  readonly objects: readonly (readonly [string, ObjectRecord])[];
}

/** Every unit the state names: the recorded ones in state order, then those only objects name. */
export function unitEntries(state: MeshState): UnitEntry[] {
  const objectsOf = new Map<string, [string, ObjectRecord][]>();
  for (const [address, r] of Object.entries(state.objects)) {
    const list = objectsOf.get(r.unit) ?? [];
    list.push([address, r]);
    objectsOf.set(r.unit, list);
  }
  const recorded = state.units.map((record) => ({ id: record.id, record, objects: objectsOf.get(record.id) ?? [] }));
  const known = new Set(state.units.map((u) => u.id));
  const orphans = [...objectsOf].filter(([id]) => !known.has(id)).map(([id, objects]) => ({ id, objects }));
  return [...recorded, ...orphans];
}

export function underPrefix(address: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return address === p || address.startsWith(`${p}/`);
}

/**
 * `state list PREFIX...`: the units under a prefix whole, and of the other units the objects
 * under one. No prefixes: everything. A prefix that selects nothing is refused (a typo must not
 * look like an empty part of the state).
 */
export function selectListing(state: MeshState, prefixes: readonly string[], where: string): UnitEntry[] {
  const entries = unitEntries(state);
  if (prefixes.length === 0) return entries;
  const unmatched = prefixes.filter((p) => !entries.some((u) => underPrefix(u.id, p) || u.objects.some(([a]) => underPrefix(a, p))));
  if (unmatched.length) throw notInState(unmatched, { state, where, prefixes: true });
  return entries
    .map((u) => (prefixes.some((p) => underPrefix(u.id, p)) ? u : { ...u, objects: u.objects.filter(([a]) => prefixes.some((p) => underPrefix(a, p))) }))
    .filter((u) => prefixes.some((p) => underPrefix(u.id, p)) || u.objects.length > 0);
}

export type Named = { readonly kind: 'object'; readonly address: string; readonly record: ObjectRecord } | { readonly kind: 'unit'; readonly unit: UnitEntry };

/** An object address or a unit ID, exactly (a trailing "/" forgiven). */
export function lookup(state: MeshState, name: string): Named | undefined {
  const address = name.replace(/\/+$/, '');
  const record = state.objects[address];
  if (record) return { kind: 'object', address, record };
  const unit = unitEntries(state).find((u) => u.id === address);
  return unit ? { kind: 'unit', unit } : undefined;
}

/** What `state rm` forgets: the units named (with all their objects) and the other objects named. */
export interface Removal {
  readonly units: readonly UnitEntry[];
  readonly objects: readonly string[];
}

export function removalOf(state: MeshState, names: readonly string[], where: string): Removal {
  const found = names.map((n) => [n, lookup(state, n)] as const);
  const missing = found.filter(([, f]) => !f).map(([n]) => n);
  if (missing.length) throw notInState(missing, { state, where, prefixes: false, nothingChanged: true });
  const units = new Map<string, UnitEntry>();
  for (const [, f] of found) if (f?.kind === 'unit') units.set(f.unit.id, f.unit);
  const inUnits = new Set([...units.values()].flatMap((u) => u.objects.map(([a]) => a)));
  // State order, each once, whatever order and repetitions the command line had.
  const named = new Set(found.flatMap(([, f]) => (f?.kind === 'object' ? [f.address] : [])));
  const objects = Object.keys(state.objects).filter((a) => named.has(a) && !inUnits.has(a));
  return { units: unitEntries(state).filter((u) => units.has(u.id)), objects };
}

/** The state without what `removal` names (same lineage and serial: the backend's write bumps it). */
export function withoutRemoved(state: MeshState, removal: Removal): MeshState {
  const gone = new Set([...removal.objects, ...removal.units.flatMap((u) => u.objects.map(([a]) => a))]);
  const goneUnits = new Set(removal.units.map((u) => u.id));
  return {
    ...state,
    units: state.units.filter((u) => !goneUnits.has(u.id)),
    objects: Object.fromEntries(Object.entries(state.objects).filter(([a]) => !gone.has(a))),
  };
}

/** One error per name the state does not hold, each with the closest names it does hold. */
export function notInState(names: readonly string[], o: { state: MeshState; where: string; prefixes: boolean; nothingChanged?: boolean }): DiagnosticsError {
  const entries = unitEntries(o.state);
  const exact = [...entries.map((u) => u.id), ...entries.flatMap((u) => u.objects.map(([a]) => a))];
  // A prefix may stop at any segment: cluster1, cluster1/Deployment.apps, ...
  const candidates = o.prefixes ? [...new Set(exact.flatMap(segmentPrefixes))] : exact;
  const diags: Diagnostic[] = names.map((name) => {
    const close = closeMatches(name, candidates);
    const what = o.prefixes ? 'selects no unit or object' : 'is not an object address or a unit ID';
    const after = o.nothingChanged ? ' Nothing was changed.' : '';
    const suggestion = close.length ? `\nClose matches:\n  ${close.join('\n  ')}` : '';
    return error('Not in the state', `${name} ${what} in ${o.where}.${after}${suggestion}`, { hint: 'meshctl state list prints every unit ID and object address the state holds.' });
  });
  return new DiagnosticsError(diags);
}

function segmentPrefixes(address: string): string[] {
  const parts = address.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * Up to five names nearest to `word`, nearest first: those it begins (a segment typed in part:
 * cluster1/Deployment for cluster1/Deployment.apps) and those within a quarter of its length in
 * edits (at least 2); failing any, those ending in the same name (istiod: each object named so).
 */
export function closeMatches(word: string, candidates: readonly string[], max = 5): string[] {
  const limit = Math.max(2, Math.floor(word.length / 4));
  const scored = candidates.map((c) => ({ c, d: editDistance(word, c) })).sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0));
  const near = scored.filter(({ c, d }) => d <= limit || c.startsWith(word));
  const last = lastSegment(word);
  const picked = near.length ? near : scored.filter(({ c }) => last !== '' && lastSegment(c) === last);
  return picked.slice(0, max).map(({ c }) => c);
}

function lastSegment(s: string): string {
  return s.replace(/\/+$/, '').split('/').pop() ?? '';
}
