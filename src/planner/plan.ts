// The Plan: plain, serialisable data describing what apply will do, in which order, and why.
// Built by planMesh() (pure); rendered by views; carried out by executors; saved by `plan --out`.
// Modelled on Terraform's plans.Changes: action and reason are separate, and the reason
// explains the plan to people only — executors must never branch on it.

import type { UnitKind, WaitFor } from '../model/desired.js';
import type { ObjectRef } from '../kube/object.js';
import type { Operation } from './json-patch.js';

/** Closed: every switch over Action ends in assertNever. Display symbols live in views. */
export type Action = 'create' | 'update' | 'delete' | 'noop';

export type Reason =
  /** The object is wanted and does not exist. */
  | 'missing'
  /** The desired object differs from what meshctl last applied (mesh.yaml changed). */
  | 'config-changed'
  /** The live object differs from what meshctl applied (changed outside meshctl). */
  | 'drift'
  /** A value it depends on is only known after apply. */
  | 'known-after-apply'
  /** meshctl manages it, but it is no longer in the topology (or this is a destroy). */
  | 'removed'
  /** Destroy of an object meshctl did not create: only meshctl's fields come off. */
  | 'release-fields'
  | 'unchanged';

export type PlanMode = 'apply' | 'destroy' | 'refresh-only';

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
}

export interface PlannedUnit {
  readonly id: string;
  readonly cluster: string;
  readonly kind: UnitKind;
  readonly dependsOn: readonly string[];
  readonly waits: readonly WaitFor[];
  /** Addresses of this unit's changes, in apply order. */
  readonly changes: readonly string[];
  /** The unit is being taken down (left the topology, or destroy): no waits, no outputs. */
  readonly removal: boolean;
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface Plan {
  readonly formatVersion: 1;
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
}

export function isEmptyPlan(p: Plan): boolean {
  return p.summary.add + p.summary.change + p.summary.destroy === 0;
}

export function summarize(changes: readonly Change[]): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
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
      case 'noop':
        break;
      default:
        return assertNeverAction(c.action);
    }
  }
  return { add, change, destroy };
}

function assertNeverAction(a: never): never {
  throw new Error(`unexpected action ${String(a)}: this is a bug in meshctl, please report it`);
}
