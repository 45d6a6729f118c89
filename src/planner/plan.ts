// The Plan: plain, serialisable data describing what apply will do, in which order, and why.
// Built by planMesh() (pure); rendered by views; carried out by executors; saved by `plan --out`.
// Modelled on Terraform's plans.Changes: action and reason are separate, and the reason
// explains the plan to people only — executors must never branch on it.

import type { UnitKind, WaitFor } from '../model/desired.js';
import type { ObjectRef } from '../kube/object.js';
import type { Operation } from './json-patch.js';

// The closed lists are values as well as types: the plan-file reader and the checks of
// schemas/plan.schema.json take them from here, so a new member cannot compile cleanly and then
// be refused in a saved plan as damaged.

/**
 * Closed: every switch over Action ends in assertNever. Display symbols live in views.
 * - create / update: server-side apply of `after`.
 * - delete: meshctl created it (or istiod did, for the mesh meshctl installed): it goes.
 * - forget: it was there before meshctl, so it stays; server-side apply of its bare identity
 *   drops the fields meshctl owned, and the state forgets it (Terraform's "forget").
 * - replace: delete, wait until it is gone, then create `after`: a field the API server never
 *   changes in place differs (a workload's selector, planner/immutable.ts). Counted as one to
 *   add and one to destroy, as Terraform counts a replacement.
 * - noop: nothing is sent; the state may still record it (see Change.record).
 */
export const ACTIONS = ['create', 'update', 'delete', 'forget', 'replace', 'noop'] as const;
export type Action = (typeof ACTIONS)[number];

/** Why a change is planned: for people only, never branched on by executors. */
export const REASONS = [
  /** The object is wanted and does not exist. */
  'missing',
  /** The desired object differs from what meshctl last applied (mesh.yaml changed). */
  'config-changed',
  /** The live object differs from what meshctl applied (changed outside meshctl). */
  'drift',
  /** A value it depends on is only known after apply. */
  'known-after-apply',
  /** meshctl manages it, but it is no longer in the topology (or this is a destroy). */
  'removed',
  /** istiod wrote it for the mesh meshctl installed (istio-ca-root-cert), and that mesh leaves the cluster. */
  'written-by-istiod',
  /** Its cluster left mesh.yaml and cannot be reached: with --forget-unreachable only its record goes. */
  'unreachable',
  'unchanged',
] as const;
export type Reason = (typeof REASONS)[number];

export const PLAN_MODES = ['apply', 'destroy', 'refresh-only'] as const;
export type PlanMode = (typeof PLAN_MODES)[number];

/**
 * What a no-op change writes to the state, and nothing to the cluster:
 * - adopt: an interrupted apply sent it but never recorded the answer; it is recorded as applied.
 * - move: it belongs to another unit now (a later meshctl split a unit); its record follows.
 * - drop: a unit being taken down recorded it, but it is not in the cluster (never created,
 *   or deleted by someone): the record goes.
 */
export const RECORD_UPDATES = ['adopt', 'move', 'drop'] as const;
export type RecordUpdate = (typeof RECORD_UPDATES)[number];

export interface Change {
  /** `cluster/Kind.group/namespace/name` (see kube/object.ts). */
  readonly address: string;
  readonly unit: string;
  readonly cluster: string;
  readonly ref: ObjectRef;
  readonly action: Action;
  readonly reason: Reason;
  /** The live object projected onto the fields meshctl manages (secrets as digests). */
  readonly before?: unknown;
  /** What apply will send (secrets as digests, unknowns as markers). */
  readonly after?: unknown;
  /** JSON Pointer paths in `after` whose values are known only after apply. */
  readonly afterUnknown: readonly string[];
  /** RFC 6902 operations turning `before` into `after` (updates only). */
  readonly patch?: readonly Operation[];
  /** Unified diff of the YAML of `before` and `after` (updates only). */
  readonly diff?: string;
  /** resourceVersion of the live object when planned (for stale-plan checks). */
  readonly observedResourceVersion?: string;
  /** Whether the object existed before meshctl first touched it (destroy leaves it). */
  readonly existedBefore: boolean;
  /** No-ops only: the state-only update apply makes for it. */
  readonly record?: RecordUpdate;
}

/**
 * One step of a unit, carried out in order:
 * - send: the changes at these addresses go out together (objects of one kind rank: CRDs
 *   before what uses them, webhooks last; deletions the other way round);
 * - wait: until the condition holds (readiness before dependants start, CRDs established
 *   before custom resources, deleted namespaces and CRDs gone).
 */
export type Step = { readonly step: 'send'; readonly addresses: readonly string[] } | { readonly step: 'wait'; readonly wait: WaitFor };

export const STEP_KINDS = ['send', 'wait'] as const satisfies readonly Step['step'][];

export interface PlannedUnit {
  readonly id: string;
  readonly cluster: string;
  readonly kind: UnitKind;
  readonly dependsOn: readonly string[];
  /** Everything the unit does, in order. */
  readonly steps: readonly Step[];
  /** The unit is being taken down (left the topology, or destroy): no outputs. */
  readonly removal: boolean;
}

/** The unit's changes in apply order (the addresses of its send steps). */
export function unitChanges(u: PlannedUnit): string[] {
  return u.steps.flatMap((s) => (s.step === 'send' ? s.addresses : []));
}

/** The unit's waits in order. */
export function unitWaits(u: PlannedUnit): WaitFor[] {
  return u.steps.flatMap((s) => (s.step === 'wait' ? [s.wait] : []));
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Objects meshctl found in place and gives back: its fields come off, the object stays. */
  readonly forget: number;
}

/**
 * What a reviewer must know about a cluster besides its changes. Closed, like actions:
 * - cluster-unreachable: it left mesh.yaml but cannot be read; its objects stay in the state
 *   (and in the cluster) unless `forgotten` (--forget-unreachable), when only their records go.
 * - unmanaged-istio: the state knows nothing of this cluster, yet it already runs istiod
 *   (installed by hand, or by another tool); the plan takes those objects over.
 * - restart: a workload's pod template changes, so its pods are replaced (istiod, a gateway).
 */
export const NOTICE_KINDS = ['cluster-unreachable', 'unmanaged-istio', 'restart'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export type Notice =
  | { readonly kind: 'cluster-unreachable'; readonly cluster: string; readonly error: string; readonly objects: number; readonly forgotten: boolean }
  | { readonly kind: 'unmanaged-istio'; readonly cluster: string; readonly addresses: readonly string[] }
  | { readonly kind: 'restart'; readonly cluster: string; readonly unit: string; readonly address: string };

export interface Plan {
  readonly formatVersion: typeof planFormatVersion;
  readonly meshctlVersion: string;
  readonly mode: PlanMode;
  readonly createdAt: string;
  readonly mesh: { readonly meshID: string; readonly sourceDigest: string; readonly sourceFile: string };
  /** The state the plan was made against; apply of a saved plan refuses if it moved on. */
  readonly state: { readonly lineage: string; readonly serial: number } | null;
  /** Units in a dependency-respecting order (destroy: reversed). */
  readonly units: readonly PlannedUnit[];
  /** Units grouped into waves that may run in parallel. */
  readonly waves: readonly (readonly string[])[];
  readonly changes: readonly Change[];
  readonly summary: PlanSummary;
  /** In unit order; absent in plans saved before meshctl made notices (read as none). */
  readonly notices?: readonly Notice[];
}

/** 2: units carry steps (waits and batches in the plan), the forget action, record updates. */
export const planFormatVersion = 2;

/** Nothing to do to any cluster. */
export function hasNoChanges(p: Plan): boolean {
  return p.summary.add + p.summary.change + p.summary.destroy + p.summary.forget === 0;
}

/** Nothing to do at all: no change to a cluster and none to the state (apply then writes nothing). */
export function isEmptyPlan(p: Plan): boolean {
  return hasNoChanges(p) && !p.changes.some((c) => c.record !== undefined);
}

export function summarize(changes: readonly Change[]): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let forget = 0;
  for (const c of changes) {
    switch (c.action) {
      case 'create':
        add++;
        break;
      case 'update':
        change++;
        break;
      case 'delete':
        destroy++;
        break;
      case 'forget':
        forget++;
        break;
      case 'replace':
        add++;
        destroy++;
        break;
      case 'noop':
        break;
      default:
        return assertNeverAction(c.action);
    }
  }
  return { add, change, destroy, forget };
}

function assertNeverAction(a: never): never {
  throw new Error(`unexpected action ${String(a)}: this is a bug in meshctl, please report it`);
}
