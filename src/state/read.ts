// Parsing a state file's text. Pure: the caller reads the bytes. Distinguishes "no state"
// from "unusable state" and says which meshctl wrote a too-new file (Terraform's read.go).
import { error, type Diagnostic } from '../diagnostics.js';
import { stateShapeProblem } from './state-shape.js';
import { stateFormatVersion, type MeshState } from './state.js';

export type ReadResult = { readonly state: MeshState; readonly diagnostics: readonly [] } | { readonly state?: undefined; readonly diagnostics: readonly Diagnostic[] };

export function parseState(text: string, opts: { file: string; meshID: string }): ReadResult {
  const bad = (summary: string, detail: string): ReadResult => ({ diagnostics: [error(summary, detail, { subject: undefined, path: opts.file })] });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return bad('Unusable state file', `${opts.file} is not valid JSON (${(e as Error).message}). Restore it from ${opts.file}.backup, or move it away if this mesh has never been applied.`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return bad('Unusable state file', `${opts.file} does not hold a meshctl state object.`);
  }
  const s = raw as Partial<MeshState> & Record<string, unknown>;
  if (typeof s.version !== 'number') {
    return bad('Unusable state file', `${opts.file} has no "version" field, so it was not written by meshctl.`);
  }
  if (!Number.isSafeInteger(s.version) || s.version < 1) {
    return bad('Unusable state file', `${opts.file} has state format ${s.version}, which no meshctl writes; it is damaged. Restore it from ${opts.file}.backup.`);
  }
  if (s.version > stateFormatVersion) {
    return bad(
      'State file written by a newer meshctl',
      `${opts.file} uses state format ${s.version}, written by meshctl ${String(s.meshctlVersion ?? 'unknown')}; this meshctl reads format ${stateFormatVersion} and older. Upgrade meshctl.`,
    );
  }
  if (typeof s.lineage !== 'string' || typeof s.serial !== 'number' || typeof s.meshID !== 'string' || !Array.isArray(s.units) || typeof s.objects !== 'object' || s.objects === null) {
    return bad('Unusable state file', `${opts.file} is missing lineage, serial, meshID, units or objects; it is damaged. Restore it from ${opts.file}.backup.`);
  }
  const problem = stateShapeProblem(s);
  if (problem) {
    return bad('Unusable state file', `${opts.file} is damaged: ${problem}. Restore it from ${opts.file}.backup.`);
  }
  if (s.meshID !== opts.meshID) {
    return bad(
      'State file belongs to another mesh',
      `${opts.file} records mesh "${s.meshID}", but mesh.yaml describes mesh "${opts.meshID}". Point --state at this mesh's state file; meshctl will not manage one mesh with another's state.`,
    );
  }
  return { state: s as MeshState, diagnostics: [] };
}

/**
 * The envelope indented, every unit and every object on one line of its own. Fully indented,
 * the deep schemas of Istio's CRDs make the file mostly spaces (docs/state-format.md, "Layout"),
 * and it is read by every plan and rewritten after every batch of apply actions. One line per
 * object still reads and diffs well: a change shows as the lines of the objects it touched.
 */
export function serializeState(state: MeshState): string {
  const lines = Object.entries(state).map(([key, value]) => `  ${JSON.stringify(key)}: ${envelopeValue(value)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

function envelopeValue(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n  }`;
  }
  return JSON.stringify(value);
}
