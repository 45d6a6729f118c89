// The plan for programs: `meshctl show --json PLANFILE` and `plan --json`. A documented,
// versioned format (schemas/plan.schema.json, docs/plan-format.md) modelled on Terraform's
// `show -json`: resource_changes[] with an actions array, before/after, after_unknown and
// before_sensitive/after_sensitive masks. Pure conversion from the Plan value.
//
// Markers never reach this format: a Sensitive digest becomes "(sensitive value)" with `true`
// in the matching *_sensitive mask; an Unknown is left out of `after` (null inside arrays) with
// `true` in after_unknown (and in after_sensitive when the value will be a secret).
import { hasNoChanges, summarize, unitChanges, unitWaits, type Action, type Change, type Notice, type Plan, type PlannedUnit, type PlanSummary, type Reason, type Step } from '../planner/plan.js';
import type { WaitFor } from '../model/desired.js';
import type { Operation } from '../planner/json-patch.js';
import { isUnknown } from '../model/desired.js';
import { isSensitive } from '../kube/sensitive.js';
import { displayForm, knownAfterApply, sensitiveValue } from '../planner/diff-text.js';

/** Minor bumps add fields (ignore keys you do not know); a major bump breaks readers. */
export const planJsonFormatVersion = '1.3';

export type JsonAction = 'create' | 'update' | 'delete' | 'forget' | 'no-op';
/** As Terraform: a replacement is `["delete","create"]` (1.2). */
export type JsonActions = readonly [JsonAction] | readonly ['delete', 'create'];
export type JsonReason = 'missing' | 'config_changed' | 'drift' | 'known_after_apply' | 'removed' | 'written_by_istiod' | 'unreachable' | 'unchanged';

/** The plan's notices (1.2): what a reviewer must know besides the changes. */
export type NoticeJson =
  | { readonly kind: 'cluster_unreachable'; readonly cluster: string; readonly error: string; readonly objects: number; readonly forgotten: boolean }
  | { readonly kind: 'unmanaged_istio'; readonly cluster: string; readonly addresses: readonly string[] }
  | { readonly kind: 'restart'; readonly cluster: string; readonly unit: string; readonly address: string };

/** true at masked leaves; objects keep only keys with something masked; arrays keep positions (false). */
export type Mask = boolean | { readonly [k: string]: Mask } | readonly Mask[];

export interface JsonPatchOp {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

export interface ResourceChangeJson {
  readonly address: string;
  readonly cluster: string;
  readonly unit: string;
  readonly kind: string;
  readonly api_version: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly change: {
    readonly actions: JsonActions;
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown: Mask;
    readonly before_sensitive: Mask;
    readonly after_sensitive: Mask;
    readonly patch: readonly JsonPatchOp[] | null;
    readonly diff: string | null;
  };
  readonly action_reason: JsonReason;
  readonly existed_before: boolean;
  readonly observed_resource_version: string | null;
}

export interface UnitJson {
  readonly id: string;
  readonly cluster: string;
  readonly kind: string;
  readonly depends_on: readonly string[];
  /** Everything the unit does, in order (1.1): objects sent together, or a wait. */
  readonly steps: readonly StepJson[];
  /** The waits of `steps`, in order. */
  readonly waits: readonly WaitFor[];
  /** The addresses of `steps`, in order. */
  readonly changes: readonly string[];
  readonly removal: boolean;
  readonly summary: SummaryJson;
}

export type StepJson = { readonly step: 'send'; readonly addresses: readonly string[] } | { readonly step: 'wait'; readonly wait: WaitFor };

export interface SummaryJson {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly forget: number;
}

export interface PlanJson {
  readonly format_version: typeof planJsonFormatVersion;
  readonly meshctl_version: string;
  readonly created_at: string;
  readonly mode: Plan['mode'];
  readonly mesh: { readonly mesh_id: string; readonly source_file: string; readonly source_digest: string };
  readonly state: { readonly lineage: string; readonly serial: number } | null;
  readonly has_changes: boolean;
  readonly summary: SummaryJson;
  readonly resource_changes: readonly ResourceChangeJson[];
  /** Addresses of objects changed outside meshctl since it last applied them (reason drift). */
  readonly drift: readonly string[];
  readonly units: readonly UnitJson[];
  readonly waves: readonly (readonly string[])[];
  readonly notices: readonly NoticeJson[];
}

export const jsonActions: Readonly<Record<Action, JsonActions>> = {
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
  forget: ['forget'],
  replace: ['delete', 'create'],
  noop: ['no-op'],
};

export const jsonReason: Readonly<Record<Reason, JsonReason>> = {
  missing: 'missing',
  'config-changed': 'config_changed',
  drift: 'drift',
  'known-after-apply': 'known_after_apply',
  removed: 'removed',
  'written-by-istiod': 'written_by_istiod',
  unreachable: 'unreachable',
  unchanged: 'unchanged',
};

function noticeToJson(n: Notice): NoticeJson {
  switch (n.kind) {
    case 'cluster-unreachable':
      return { kind: 'cluster_unreachable', cluster: n.cluster, error: n.error, objects: n.objects, forgotten: n.forgotten };
    case 'unmanaged-istio':
      return { kind: 'unmanaged_istio', cluster: n.cluster, addresses: [...n.addresses] };
    case 'restart':
      return { kind: 'restart', cluster: n.cluster, unit: n.unit, address: n.address };
    default: {
      const never: never = n;
      throw new Error(`unexpected notice ${JSON.stringify(never)}: this is a bug in meshctl`);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value with Unknowns left out (null in arrays) and Sensitive digests as "(sensitive value)". */
function knownPart(v: unknown): unknown {
  if (isSensitive(v)) return sensitiveValue;
  if (Array.isArray(v)) return v.map((x) => (isUnknown(x) ? null : knownPart(x)));
  if (isPlainObject(v) && !isUnknown(v)) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => !isUnknown(x))
        .map(([k, x]) => [k, knownPart(x)]),
    );
  }
  return v;
}

/** The Terraform-style mask of `v`: true where `hit` holds, structure kept only where needed. */
function maskOf(v: unknown, hit: (x: unknown) => boolean): Mask {
  if (hit(v)) return true;
  if (Array.isArray(v)) return v.map((x) => maskOf(x, hit));
  if (isPlainObject(v) && !isUnknown(v) && !isSensitive(v)) {
    const out: Record<string, Mask> = {};
    for (const [k, x] of Object.entries(v)) {
      const m = maskOf(x, hit);
      if (m !== false && !(isPlainObject(m) && Object.keys(m).length === 0)) out[k] = m;
    }
    return out;
  }
  return false;
}

/** Top-level masks: `{}` for objects without hits (Terraform's convention), false for none. */
function topMask(v: unknown, hit: (x: unknown) => boolean): Mask {
  if (v === undefined || v === null) return false;
  return maskOf(v, hit);
}

const unknownHit = (x: unknown) => isUnknown(x);
const sensitiveHit = (x: unknown) => isSensitive(x) || (isUnknown(x) && x.$unknown.sensitive === true);

/** Before values never hold Unknowns; should one appear, it reads "(known after apply)". */
function beforeValue(v: unknown): unknown {
  if (v === undefined) return null;
  return isUnknown(v) ? knownAfterApply : knownPart(v);
}

function afterValue(v: unknown): unknown {
  if (v === undefined || isUnknown(v)) return null;
  return knownPart(v);
}

const markerSegment = /\/\$(sensitive|unknown)(\/.*)?$/;

/**
 * A patch operation for reading. The planner's patch compares markers field by field, so a
 * rotated secret reads `replace /data/key/$sensitive "sha256:…"`: such operations become one
 * on the value itself (`/data/key`) whose value is the display text, never the digest.
 */
export function displayPatchOp(op: Operation): JsonPatchOp {
  const m = markerSegment.exec(op.path);
  if (m) {
    const value = m[1] === 'sensitive' ? sensitiveValue : knownAfterApply;
    return { op: op.op === 'remove' || op.op === 'add' ? 'replace' : op.op, path: op.path.slice(0, m.index), value };
  }
  const out: { op: string; path: string; from?: string; value?: unknown } = { op: op.op, path: op.path };
  if ('from' in op && typeof op.from === 'string') out.from = op.from;
  if ('value' in op) out.value = displayForm(op.value) ?? null;
  return out;
}

function patchJson(c: Change): JsonPatchOp[] | null {
  if (!c.patch) return null;
  const seen = new Set<string>();
  return c.patch.map(displayPatchOp).filter((op) => {
    const key = JSON.stringify(op);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function resourceChangeToJson(c: Change): ResourceChangeJson {
  return {
    address: c.address,
    cluster: c.cluster,
    unit: c.unit,
    kind: c.ref.kind,
    api_version: c.ref.apiVersion,
    namespace: c.ref.namespace ?? null,
    name: c.ref.name,
    change: {
      actions: [...jsonActions[c.action]] as unknown as JsonActions,
      before: beforeValue(c.before),
      after: afterValue(c.after),
      after_unknown: topMask(c.after, unknownHit),
      before_sensitive: topMask(c.before, sensitiveHit),
      after_sensitive: topMask(c.after, sensitiveHit),
      patch: patchJson(c),
      diff: c.diff ? c.diff : null,
    },
    action_reason: jsonReason[c.reason],
    existed_before: c.existedBefore,
    observed_resource_version: c.observedResourceVersion ?? null,
  };
}

function unitToJson(u: PlannedUnit, byAddress: ReadonlyMap<string, Change>): UnitJson {
  const changes = unitChanges(u);
  return {
    id: u.id,
    cluster: u.cluster,
    kind: u.kind,
    depends_on: [...u.dependsOn],
    steps: u.steps.map(stepToJson),
    waits: unitWaits(u).map((w) => ({ ...w })),
    changes,
    removal: u.removal,
    summary: summaryToJson(summarize(changes.flatMap((a) => byAddress.get(a) ?? []))),
  };
}

function stepToJson(s: Step): StepJson {
  return s.step === 'send' ? { step: 'send', addresses: [...s.addresses] } : { step: 'wait', wait: { ...s.wait } };
}

function summaryToJson(s: PlanSummary): SummaryJson {
  return { add: s.add, change: s.change, destroy: s.destroy, forget: s.forget };
}

export function planToJson(plan: Plan): PlanJson {
  const byAddress = new Map(plan.changes.map((c) => [c.address, c]));
  const s = plan.summary;
  return {
    format_version: planJsonFormatVersion,
    meshctl_version: plan.meshctlVersion,
    created_at: plan.createdAt,
    mode: plan.mode,
    mesh: { mesh_id: plan.mesh.meshID, source_file: plan.mesh.sourceFile, source_digest: plan.mesh.sourceDigest },
    state: plan.state ? { lineage: plan.state.lineage, serial: plan.state.serial } : null,
    has_changes: !hasNoChanges(plan),
    summary: summaryToJson(s),
    resource_changes: plan.changes.map(resourceChangeToJson),
    drift: plan.changes.filter((c) => c.reason === 'drift' && c.action !== 'noop').map((c) => c.address),
    units: plan.units.map((u) => unitToJson(u, byAddress)),
    waves: plan.waves.map((w) => [...w]),
    notices: (plan.notices ?? []).map(noticeToJson),
  };
}
