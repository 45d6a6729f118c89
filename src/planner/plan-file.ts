// Saved plans (`meshctl plan --out plan.json`, `meshctl apply plan.json`): a versioned JSON
// envelope around the Plan value, so that apply carries out exactly what was reviewed.
//   { format: "meshctl-plan", format_version: 2, meshctl_version, plan_digest, plan }
// plan_digest is the SHA-256 of the compact JSON of `plan`: it catches a file cut short, merged
// badly or edited by hand (integrity, not authenticity: anyone can recompute it).
// Unlike Terraform's plan files, ours hold no secret values: Secret data and sensitive values
// appear only as digest markers, and serializePlanFile refuses a plan where one slipped through.
// Pure: no fs (the CLI reads and writes the file), no clock.
import { createHash } from 'node:crypto';
import { error, type Diagnostic } from '../diagnostics.js';
import { isSensitive } from '../kube/sensitive.js';
import { ACTIONS, NOTICE_KINDS, PLAN_MODES, planFormatVersion, REASONS, RECORD_UPDATES, STEP_KINDS, summarize, type Plan } from './plan.js';
import { isUnknown, UNIT_KINDS, WAIT_KINDS } from '../model/desired.js';

export const planFileFormat = 'meshctl-plan';
/** The envelope's format_version is the Plan's own format version. */
export const planFileFormatVersion = planFormatVersion;

export interface PlanFileEnvelope {
  readonly format: typeof planFileFormat;
  readonly format_version: typeof planFileFormatVersion;
  readonly meshctl_version: string;
  readonly plan_digest: string;
  readonly plan: Plan;
}

export type ParsedPlanFile = { readonly plan: Plan } | { readonly diagnostics: readonly Diagnostic[] };

function digestOf(plan: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(plan)).digest('hex')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Secret objects in a plan carry data only as markers. A string in a Secret's data or
 * stringData would be the secret itself: that is a bug upstream, and it must not reach a file.
 */
export function secretValuesIn(plan: Plan): string[] {
  const found: string[] = [];
  for (const c of plan.changes) {
    if (c.ref.kind !== 'Secret') continue;
    for (const [side, v] of [
      ['before', c.before],
      ['after', c.after],
    ] as const) {
      if (!isObject(v)) continue;
      for (const field of ['data', 'stringData'] as const) {
        const d = v[field];
        if (!isObject(d)) continue;
        for (const [k, x] of Object.entries(d)) {
          if (!isSensitive(x) && !isUnknown(x)) found.push(`${c.address} ${side}.${field}.${k}`);
        }
      }
    }
    for (const op of c.patch ?? []) {
      // `/data/key/$sensitive` operations carry the digest, which is what a marker holds anyway.
      const onMarker = /\/\$(sensitive|unknown)(\/|$)/.test(op.path);
      if (/^\/(data|stringData)(\/|$)/.test(op.path) && !onMarker && 'value' in op && containsPlainString(op.value)) {
        found.push(`${c.address} patch ${op.path}`);
      }
    }
  }
  return found;
}

function containsPlainString(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (isSensitive(v) || isUnknown(v)) return false;
  if (Array.isArray(v)) return v.some(containsPlainString);
  if (isObject(v)) return Object.values(v).some(containsPlainString);
  return false;
}

export function serializePlanFile(plan: Plan): string {
  const leaks = secretValuesIn(plan);
  if (leaks.length) {
    throw new Error(`refusing to write a plan holding secret values (${leaks.join(', ')}): this is a bug in meshctl, please report it`);
  }
  const envelope: PlanFileEnvelope = {
    format: planFileFormat,
    format_version: planFileFormatVersion,
    meshctl_version: plan.meshctlVersion,
    plan_digest: digestOf(plan),
    plan,
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

const notAPlan = 'Not a meshctl plan file';
const damaged = 'Plan file is damaged';
const rerun = 'Make a new one with `meshctl plan --out FILE`.';

/** What else a JSON file handed to `apply` might be, to say so. */
function lookalike(v: unknown): string {
  if (!isObject(v)) return '';
  if ('terraform_version' in v) return ' It looks like Terraform output.';
  if ('resource_changes' in v && 'format_version' in v) {
    return ' It looks like the JSON view of a plan (`meshctl show --json`), which is for reading; apply needs the file `meshctl plan --out` wrote.';
  }
  if ('lineage' in v && 'serial' in v && 'objects' in v) return ' It looks like a meshctl state file.';
  return '';
}

export function parsePlanFile(text: string, opts: { readonly file: string }): ParsedPlanFile {
  const file = opts.file;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      diagnostics: [
        error('Plan file is not JSON', `${file} could not be read as JSON (${why}). A plan file written by \`meshctl plan --out\` is JSON; was it cut short or is it another file? ${rerun}`, {
          path: file,
        }),
      ],
    };
  }
  if (!isObject(doc) || doc['format'] !== planFileFormat) {
    return {
      diagnostics: [error(notAPlan, `${file} is JSON, but not a plan written by \`meshctl plan --out\` (it has no "format": "${planFileFormat}").${lookalike(doc)} ${rerun}`, { path: file })],
    };
  }
  const version = doc['format_version'];
  const writer = typeof doc['meshctl_version'] === 'string' ? `meshctl ${doc['meshctl_version']}` : 'an unknown meshctl version';
  if (typeof version === 'number' && Number.isInteger(version) && version > planFileFormatVersion) {
    return {
      diagnostics: [
        error(
          'Plan file is from a newer meshctl',
          `${file} was written by ${writer} in plan file format ${version}; this meshctl reads format ${planFileFormatVersion} and older. Apply it with ${writer} or newer, or make a new plan with this meshctl.`,
          { path: file },
        ),
      ],
    };
  }
  if (typeof version === 'number' && Number.isInteger(version) && version >= 1 && version < planFileFormatVersion) {
    return {
      diagnostics: [
        error(
          'Plan file is from an older meshctl',
          `${file} was written by ${writer} in plan file format ${version}; this meshctl writes and applies format ${planFileFormatVersion}, whose plans also list every wait and step apply makes. ${rerun}`,
          { path: file },
        ),
      ],
    };
  }
  if (version !== planFileFormatVersion) {
    return { diagnostics: [damagedAt(file, 'format_version', `expected ${planFileFormatVersion}, found ${JSON.stringify(version)}`)] };
  }
  if (!('plan' in doc)) return { diagnostics: [damagedAt(file, 'plan', 'missing')] };
  if (doc['plan_digest'] !== digestOf(doc['plan'])) {
    return {
      diagnostics: [
        error(
          damaged,
          `${file} does not match the digest meshctl wrote with it: it was edited, merged or cut short after \`meshctl plan --out\` wrote it. A reviewed plan must be applied as written. ${rerun}`,
          { path: file },
        ),
      ],
    };
  }
  const problems = checkPlanShape(doc['plan']);
  if (problems.length) return { diagnostics: problems.slice(0, 5).map((p) => damagedAt(file, p.path, p.message)) };
  const plan = doc['plan'] as Plan;
  const s = summarize(plan.changes);
  if (s.add !== plan.summary.add || s.change !== plan.summary.change || s.destroy !== plan.summary.destroy || s.forget !== plan.summary.forget) {
    return { diagnostics: [damagedAt(file, 'plan.summary', 'does not agree with plan.changes')] };
  }
  return { plan };
}

function damagedAt(file: string, path: string, message: string): Diagnostic {
  return error(damaged, `${file} is a meshctl plan, but ${path} is wrong: ${message}. This meshctl wrote no such file; it was damaged or edited. ${rerun}`, { path: `${file}#${path}` });
}

// The shape of a Plan, checked field by field so a damaged file is named precisely
// ("plan.changes[3].action") rather than failing later inside apply.
interface Problem {
  readonly path: string;
  readonly message: string;
}

type Check = (v: unknown, path: string, out: Problem[]) => void;

const str: Check = (v, path, out) => {
  if (typeof v !== 'string') out.push({ path, message: `expected a string, found ${JSON.stringify(v) ?? 'nothing'}` });
};
const bool: Check = (v, path, out) => {
  if (typeof v !== 'boolean') out.push({ path, message: `expected true or false, found ${JSON.stringify(v) ?? 'nothing'}` });
};
const count: Check = (v, path, out) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) out.push({ path, message: `expected a whole number, found ${JSON.stringify(v) ?? 'nothing'}` });
};
const oneOf =
  (...values: readonly unknown[]): Check =>
  (v, path, out) => {
    if (!values.includes(v)) out.push({ path, message: `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, found ${JSON.stringify(v) ?? 'nothing'}` });
  };
const optional =
  (c: Check): Check =>
  (v, path, out) => {
    if (v !== undefined) c(v, path, out);
  };
const nullable =
  (c: Check): Check =>
  (v, path, out) => {
    if (v !== null) c(v, path, out);
  };
const arrayOf =
  (c: Check): Check =>
  (v, path, out) => {
    if (!Array.isArray(v)) out.push({ path, message: 'expected a list' });
    else v.forEach((x, i) => c(x, `${path}[${i}]`, out));
  };
const any: Check = () => {};
const object =
  (fields: Readonly<Record<string, Check>>): Check =>
  (v, path, out) => {
    if (!isObject(v)) {
      out.push({ path, message: 'expected an object' });
      return;
    }
    for (const [k, c] of Object.entries(fields)) c(v[k], `${path}.${k}`, out);
  };

const checkStep: Check = (v, path, out) => {
  object({ step: oneOf(...STEP_KINDS) })(v, path, out);
  if (!isObject(v)) return;
  if (v['step'] === 'send') object({ addresses: arrayOf(str) })(v, path, out);
  if (v['step'] === 'wait') object({ wait: object({ kind: oneOf(...WAIT_KINDS) }) })(v, path, out);
};

const checkNotice: Check = (v, path, out) => {
  object({ kind: oneOf(...NOTICE_KINDS), cluster: str })(v, path, out);
  if (!isObject(v)) return;
  if (v['kind'] === 'cluster-unreachable') object({ error: str, objects: count, forgotten: bool })(v, path, out);
  if (v['kind'] === 'unmanaged-istio') object({ addresses: arrayOf(str) })(v, path, out);
  if (v['kind'] === 'restart') object({ unit: str, address: str })(v, path, out);
};

const checkPlan = object({
  formatVersion: oneOf(planFormatVersion),
  meshctlVersion: str,
  mode: oneOf(...PLAN_MODES),
  createdAt: str,
  mesh: object({ meshID: str, sourceDigest: str, sourceFile: str }),
  state: nullable(object({ lineage: str, serial: count })),
  units: arrayOf(
    object({
      id: str,
      cluster: str,
      kind: oneOf(...UNIT_KINDS),
      dependsOn: arrayOf(str),
      steps: arrayOf(checkStep),
      removal: bool,
    }),
  ),
  waves: arrayOf(arrayOf(str)),
  changes: arrayOf(
    object({
      address: str,
      unit: str,
      cluster: str,
      ref: object({ apiVersion: str, kind: str, name: str, namespace: optional(str) }),
      action: oneOf(...ACTIONS),
      reason: oneOf(...REASONS),
      before: any,
      after: any,
      afterUnknown: arrayOf(str),
      patch: optional(arrayOf(object({ op: str, path: str }))),
      diff: optional(str),
      observedResourceVersion: optional(str),
      existedBefore: bool,
      record: optional(oneOf(...RECORD_UPDATES)),
    }),
  ),
  summary: object({ add: count, change: count, destroy: count, forget: count }),
  notices: optional(arrayOf(checkNotice)),
});

/** Problems with the shape of a parsed plan, and with the references inside it. */
function checkPlanShape(v: unknown): Problem[] {
  const out: Problem[] = [];
  checkPlan(v, 'plan', out);
  if (out.length) return out;
  const plan = v as Plan;
  const addresses = new Set(plan.changes.map((c) => c.address));
  const units = new Set(plan.units.map((u) => u.id));
  plan.units.forEach((u, i) =>
    u.steps.forEach((s, j) => {
      if (s.step !== 'send') return;
      s.addresses.forEach((a, k) => {
        if (!addresses.has(a)) out.push({ path: `plan.units[${i}].steps[${j}].addresses[${k}]`, message: `names ${a}, which is not among plan.changes` });
      });
    }),
  );
  plan.waves.forEach((w, i) =>
    w.forEach((id, j) => {
      if (!units.has(id)) out.push({ path: `plan.waves[${i}][${j}]`, message: `names unit ${id}, which is not among plan.units` });
    }),
  );
  return out;
}
