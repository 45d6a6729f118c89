// The plan as Terraform users read it: one line per object with + ~ -, grouped by cluster in
// apply order, a diff under each update, "(known after apply)" where values wait on earlier
// steps, and the closing "Plan: X to add, Y to change, Z to destroy." Pure text from data.
import { unitChanges, type Action, type Change, type Plan } from '../planner/plan.js';
import { waitText } from '../model/wait-words.js';
import { palette, type Palette } from './palette.js';
import { actionSymbol, objectName, reasonFor } from './change-words.js';
import { displayForm } from '../planner/diff-text.js';
import { RESTARTS_HEADING, restartTexts, warningTexts } from './notice-words.js';
import { terminalSafe } from './terminal-safe.js';

function paint(p: Palette, a: Action): (s: string) => string {
  return a === 'create' ? p.add : a === 'update' || a === 'forget' ? p.change : a === 'delete' || a === 'replace' ? p.remove : p.dim;
}

function changeLines(c: Change, p: Palette, mode: Plan['mode']): string[] {
  const color = paint(p, c.action);
  const why = reasonFor(c, mode);
  const lines = [`  ${color(`${actionSymbol[c.action]} ${objectName(c)}`)}${why ? p.dim(`  (${why})`) : ''}`];
  if (c.action === 'create' && c.afterUnknown.length) {
    for (const path of c.afterUnknown) lines.push(`      ${p.dim(`${path}: (known after apply)`)}`);
  }
  if (c.action === 'create' && c.ref.kind === 'Secret') {
    // Values never show; certificates show their fingerprints so a reviewer can tell roots apart.
    const data = (displayForm(c.after) as { data?: Record<string, unknown> }).data ?? {};
    for (const [k, v] of Object.entries(data)) if (typeof v === 'string' && !c.afterUnknown.includes(`/data/${k}`)) lines.push(`      ${p.dim(`/data/${k}: ${v}`)}`);
  }
  if (c.diff) {
    for (const raw of c.diff.split('\n')) {
      const l = terminalSafe(raw);
      const colored = l.startsWith('+') ? p.add(l) : l.startsWith('-') ? p.remove(l) : l.startsWith('@@') ? p.dim(l) : l;
      lines.push(`      ${colored}`);
    }
  }
  return lines;
}

/** Destroy without a state: meshctl made nothing it could take down. */
export function noStateText(statePath: string | undefined): string {
  return `There is no state file${statePath ? ` at ${statePath}` : ''}, so there is nothing meshctl made to destroy.`;
}

export function summaryText(plan: Plan): string {
  const s = plan.summary;
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy${s.forget ? `, ${s.forget} to forget` : ''}.`;
}

/** `statePath`: where the state was looked for, named when a destroy finds none. */
export function renderPlanHuman(plan: Plan, opts: { color: boolean; statePath?: string }): string {
  const p = palette(opts.color);
  const changes = new Map(plan.changes.map((c) => [c.address, c]));
  const acting = plan.changes.filter((c) => c.action !== 'noop');
  const warnings = warningTexts(plan.notices ?? []).map((w) => `${p.change(p.bold('Warning:'))} ${w}\n\n`);
  if (acting.length === 0) {
    if (plan.mode === 'destroy' && plan.state === null) return `${p.bold('No state.')} ${noStateText(opts.statePath)}\n`;
    const none = plan.mode === 'refresh-only' ? `${p.bold('No drift.')} The clusters match what meshctl last applied.\n` : `${p.bold('No changes.')} The mesh matches mesh.yaml.\n`;
    return `${warnings.join('')}${none}`;
  }
  const out: string[] = [];
  out.push(
    plan.mode === 'refresh-only'
      ? 'meshctl found these changes made outside meshctl since the last apply:'
      : `meshctl will perform the following actions${plan.mode === 'destroy' ? ' to destroy the mesh' : ''}:`,
  );
  const clusters = [...new Set(plan.units.map((u) => u.cluster))];
  for (const cluster of clusters) {
    const lines: string[] = [];
    for (const u of plan.units.filter((x) => x.cluster === cluster)) {
      if (!unitChanges(u).some((a) => changes.get(a)!.action !== 'noop')) continue;
      lines.push(`  ${p.dim(`# ${u.id}`)}`);
      // The unit's steps in order, waits included, so a reviewer sees what apply will block on.
      for (const step of u.steps) {
        if (step.step === 'wait') lines.push(`  ${p.dim(`  waits for ${waitText(step.wait, u.cluster)}`)}`);
        else for (const c of step.addresses.map((x) => changes.get(x)!).filter((x) => x.action !== 'noop')) lines.push(...changeLines(c, p, plan.mode));
      }
    }
    if (lines.length) out.push('', p.bold(`cluster ${cluster}:`), ...lines);
  }
  const restarts = restartTexts(plan.notices ?? []);
  if (restarts.length) out.push('', p.bold(RESTARTS_HEADING), ...restarts.map((r) => `  ${r}`));
  out.push('', p.bold(summaryText(plan)));
  return `${warnings.join('')}${out.join('\n')}\n`;
}
