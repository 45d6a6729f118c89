// What the state views share: the shapes they are handed (a state's records, as src/state
// holds them; views name no state module) and the words for a record's status and origin.
import type { ObjectRef } from '../kube/object.js';

export interface ObjectRecordView {
  readonly unit: string;
  readonly cluster: string;
  readonly ref: ObjectRef;
  readonly status: 'pending' | 'applied';
  readonly existedBefore: boolean;
  readonly applied?: unknown;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
}

export interface UnitRecordView {
  readonly cluster: string;
  readonly kind: string;
  readonly dependsOn: readonly string[];
  readonly status: 'applying' | 'applied';
  readonly outputs: Readonly<Record<string, string>>;
}

/** A unit and its objects in state order; no record when only its objects name it. */
export interface UnitEntryView {
  readonly id: string;
  readonly record?: UnitRecordView;
  readonly objects: readonly (readonly [string, ObjectRecordView])[];
}

/** Which state, in words a user can act on. */
export interface StateHeader {
  /** The backend's `where`: a path, or a namespace and context. */
  readonly where: string;
  readonly meshID: string;
  readonly lineage: string;
  readonly serial: number;
}

export const EXISTED_BEFORE = 'existed before meshctl';

/** "unit cluster1/control-plane (control-plane): applied" */
export function unitHeading(u: UnitEntryView): string {
  return u.record ? `unit ${u.id} (${u.record.kind}): ${u.record.status}` : `unit ${u.id}: no unit record (only its objects name it)`;
}

/** "    applied  cluster1/Namespace/_/istio-system  (existed before meshctl)": both statuses are 7 letters, so addresses align. */
export function objectLine(address: string, r: ObjectRecordView, indent = '    '): string {
  return `${indent}${r.status}  ${address}${r.existedBefore ? `  (${EXISTED_BEFORE})` : ''}`;
}

export function stateHeading(h: StateHeader): string {
  return `State of mesh ${h.meshID} in ${h.where} (serial ${h.serial}, lineage ${h.lineage})`;
}

/** stateHeading within a sentence: "state of mesh mesh1 in …". */
export function stateInSentence(h: StateHeader): string {
  const heading = stateHeading(h);
  return heading.charAt(0).toLowerCase() + heading.slice(1);
}

/** "1 unit", "3 objects" */
export function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
