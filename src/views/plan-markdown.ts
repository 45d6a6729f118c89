// The plan as a pull-request comment (`meshctl show --format markdown PLANFILE`): a hidden
// marker so CI updates one comment instead of adding more, a deletion warning on top, the
// summary line, a table per cluster, a Mermaid graph of the order units run in, and one
// collapsed section per cluster with diff blocks. Kept under GitHub's 65,536-character limit
// by leaving out, in turn: diff bodies, then the per-cluster sections, then the graph and the
// table, then most of the deletion list. Pure text from data.
//
// The graph shows the units with changes plus the units they depend on directly (drawn
// dashed, "no changes"), so a reviewer sees what runs and what it waits for without the noise
// of every unchanged unit. Edges go from a dependency to its dependant: top to bottom is the
// order apply follows.
import { hasNoChanges, summarize, unitChanges, type Change, type Plan, type PlannedUnit, type PlanSummary } from '../planner/plan.js';
import { knownAfterApply, sensitiveValue } from '../planner/diff-text.js';
import { displayPatchOp } from './plan-json.js';
import { actionSymbol, objectName, reasonFor } from './change-words.js';
import { noStateText, summaryText } from './plan-human.js';
import { RESTARTS_HEADING, restartTexts, warningTexts } from './notice-words.js';

export interface MarkdownOptions {
  /** Upper bound on the comment, counted in UTF-8 bytes (never fewer than GitHub's characters). */
  readonly maxChars?: number;
  /** The saved plan's file name, for the truncation note. */
  readonly planFile?: string;
  /** Where the state was looked for, named when a destroy finds none. */
  readonly statePath?: string;
}

/** GitHub refuses comments longer than 65,536 characters; keep some room for CI to wrap it. */
export const defaultMaxChars = 65_000;
/** Graphs with more units than this are left out: Mermaid renders them unreadably small. */
const maxGraphUnits = 60;
/** Deletions listed in the warning before "… and N more". */
const maxListedDeletions = 50;

export function commentMarker(meshID: string): string {
  return `<!-- meshctl-plan:${meshID.replace(/[<>]|--/g, '_')} -->`;
}

type Counts = PlanSummary;
const count = summarize;

const size = (s: string) => Buffer.byteLength(s, 'utf8');

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A fence longer than any run of backticks in the body, so nothing inside can close it. */
function fenced(lang: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${lang}\n${body}\n${f}`;
}

function changeLines(c: Change, mode: Plan['mode'], withDiff: boolean): string[] {
  const reason = reasonFor(c, mode);
  const lines = [`${actionSymbol[c.action]} ${objectName(c)}${reason ? `  (${reason})` : ''}`];
  if (!withDiff) return lines;
  if (c.action === 'create') for (const p of c.afterUnknown) lines.push(`+     ${p}: ${knownAfterApply}`);
  if (c.diff) lines.push(...c.diff.split('\n'));
  // Secret values differ only in their digests, so the YAML diff is empty: name the keys.
  else {
    const hidden = new Set(
      (c.patch ?? [])
        .map(displayPatchOp)
        .filter((op) => op.value === sensitiveValue)
        .map((op) => op.path),
    );
    for (const path of hidden) lines.push(`~     ${path}: ${sensitiveValue}`);
  }
  return lines;
}

function summaryLine(plan: Plan, statePath: string | undefined): string {
  const s = plan.summary;
  const none = hasNoChanges(plan);
  if (none && plan.mode === 'destroy' && plan.state === null) return `**No state.** ${noStateText(statePath)}`;
  if (plan.mode === 'refresh-only') {
    return none
      ? '**No drift.** The clusters match what meshctl last applied.'
      : `**Drift:** ${s.add} missing, ${s.change} changed outside meshctl since the last apply. Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
  }
  return none ? '**No changes.** The mesh matches mesh.yaml.' : `**${summaryText(plan)}**`;
}

function title(plan: Plan): string {
  const what = plan.mode === 'destroy' ? 'destroy plan' : plan.mode === 'refresh-only' ? 'drift report (refresh-only plan)' : 'plan';
  return `### meshctl ${what} for mesh \`${plan.mesh.meshID}\``;
}

function warning(deletes: readonly Change[], mode: Plan['mode'], limit: number): string {
  if (deletes.length === 0) return '';
  const n = deletes.length;
  const lines = ['> [!WARNING]', `> **This plan deletes ${n} object${n === 1 ? '' : 's'}:**`];
  for (const c of deletes.slice(0, limit)) {
    const reason = reasonFor(c, mode);
    lines.push(`> - \`${c.address}\`${reason ? ` (${reason})` : ''}`);
  }
  if (n > limit) lines.push(`> - … and ${n - limit} more`);
  return lines.join('\n');
}

function clusterTable(clusters: readonly string[], byCluster: ReadonlyMap<string, Counts>): string {
  // The Forget column appears only when something is forgotten: most plans never do.
  const forget = [...byCluster.values()].some((k) => k.forget > 0);
  const rows = clusters.map((c) => {
    const k = byCluster.get(c)!;
    return `| \`${c}\` | ${k.add} | ${k.change} | ${k.destroy} |${forget ? ` ${k.forget} |` : ''}`;
  });
  const head = forget ? ['| Cluster | Add | Change | Destroy | Forget |', '| --- | ---: | ---: | ---: | ---: |'] : ['| Cluster | Add | Change | Destroy |', '| --- | ---: | ---: | ---: |'];
  return [...head, ...rows].join('\n');
}

function countLabel(k: Counts): string {
  const parts = [k.add ? `+${k.add}` : '', k.change ? `~${k.change}` : '', k.destroy ? `-${k.destroy}` : '', k.forget ? `.${k.forget}` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : 'no changes';
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/**
 * Dependency edges among the shown units without the ones implied by others (a → c goes when
 * a → b → c is there): removed units depend on every kept unit, which would otherwise fan in.
 */
function reducedEdges(units: readonly PlannedUnit[]): [string, string][] {
  const shown = new Set(units.map((u) => u.id));
  const deps = new Map(units.map((u) => [u.id, u.dependsOn.filter((d) => shown.has(d))]));
  const reach = new Map<string, Set<string>>();
  const reachable = (id: string): Set<string> => {
    let r = reach.get(id);
    if (r) return r;
    r = new Set();
    reach.set(id, r);
    for (const d of deps.get(id) ?? []) {
      r.add(d);
      for (const x of reachable(d)) r.add(x);
    }
    return r;
  };
  const edges: [string, string][] = [];
  for (const u of units) {
    const direct = deps.get(u.id)!;
    for (const d of direct) if (!direct.some((o) => o !== d && reachable(o).has(d))) edges.push([d, u.id]);
  }
  return edges;
}

function graph(plan: Plan, unitCounts: ReadonlyMap<string, Counts>): string {
  const acting = (u: PlannedUnit) => countLabel(unitCounts.get(u.id)!) !== 'no changes';
  const shown = new Set<string>();
  for (const u of plan.units) {
    if (!acting(u)) continue;
    shown.add(u.id);
    for (const d of u.dependsOn) shown.add(d);
  }
  const units = plan.units.filter((u) => shown.has(u.id));
  if (units.length === 0) return '';
  if (units.length > maxGraphUnits) return `_The order graph is left out: ${units.length} units take part._`;
  const id = new Map(units.map((u, i) => [u.id, `n${i}`]));
  const lines = ['graph TD'];
  for (const u of units) {
    const label = `${mermaidText(u.id)}<br/>${countLabel(unitCounts.get(u.id)!)}${u.removal ? ' (removed)' : ''}`;
    lines.push(`  ${id.get(u.id)}["${label}"]`);
  }
  for (const [from, to] of reducedEdges(units)) lines.push(`  ${id.get(from)} --> ${id.get(to)}`);
  const quiet = units.filter((u) => !acting(u)).map((u) => id.get(u.id));
  if (quiet.length) lines.push('  classDef unchanged stroke-dasharray: 4 4,color:#777', `  class ${quiet.join(',')} unchanged`);
  return `**Order of work** (dependencies first; dashed: no changes, shown because others wait on them)\n\n${fenced('mermaid', lines.join('\n'))}`;
}

function clusterSection(plan: Plan, cluster: string, k: Counts, byAddress: ReadonlyMap<string, Change>, withDiff: boolean): string {
  const blocks: string[] = [];
  for (const u of plan.units.filter((x) => x.cluster === cluster)) {
    const act = unitChanges(u)
      .map((a) => byAddress.get(a)!)
      .filter((c) => c.action !== 'noop');
    if (act.length === 0) continue;
    blocks.push(`\`${u.id}\`${u.removal ? ' (removed)' : ''}\n\n${fenced('diff', act.flatMap((c) => changeLines(c, plan.mode, withDiff)).join('\n'))}`);
  }
  if (blocks.length === 0) return '';
  const head = `<details><summary><b>${escapeHtml(cluster)}</b>: ${k.add} to add, ${k.change} to change, ${k.destroy} to destroy${k.forget ? `, ${k.forget} to forget` : ''}</summary>`;
  return `${head}\n\n${blocks.join('\n\n')}\n\n</details>`;
}

/** Each warning as a GitHub alert; the restarts as one list. */
function noticeBlocks(plan: Plan): string[] {
  const notices = plan.notices ?? [];
  const restarts = restartTexts(notices);
  return [
    ...warningTexts(notices).map((w) => `> [!WARNING]\n> ${escapeHtml(w)}`),
    ...(restarts.length ? [`> [!NOTE]\n> ${RESTARTS_HEADING}\n${restarts.map((r) => `> - ${escapeHtml(r)}`).join('\n')}`] : []),
  ];
}

function footer(plan: Plan): string {
  const state = plan.state ? `state ${plan.state.lineage} serial ${plan.state.serial}` : 'no state yet';
  return `<sub>meshctl ${escapeHtml(plan.meshctlVersion)} · ${escapeHtml(plan.mesh.sourceFile)} ${plan.mesh.sourceDigest.slice(0, 19)} · ${escapeHtml(state)} · planned ${escapeHtml(plan.createdAt)}</sub>`;
}

/** What each level leaves out to fit: 0 nothing, 1 diffs, 2 sections, 3 graph and table, 4 most deletions. */
type Level = 0 | 1 | 2 | 3 | 4;

export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const maxChars = opts.maxChars ?? defaultMaxChars;
  const planFile = opts.planFile ?? 'plan.json';
  const byAddress = new Map(plan.changes.map((c) => [c.address, c]));
  const clusters = [...new Set(plan.units.map((u) => u.cluster))];
  const byCluster = new Map(clusters.map((c) => [c, count(plan.changes.filter((x) => x.cluster === c))]));
  const unitCounts = new Map(plan.units.map((u) => [u.id, count(unitChanges(u).map((a) => byAddress.get(a)!))]));
  const deletes = plan.changes.filter((c) => c.action === 'delete' || c.action === 'replace');
  const hasChanges = plan.changes.some((c) => c.action !== 'noop');

  const render = (level: Level, listed: number): string => {
    const parts = [commentMarker(plan.mesh.meshID), title(plan), ...noticeBlocks(plan), warning(deletes, plan.mode, listed), summaryLine(plan, opts.statePath)];
    if (hasChanges && level < 3) parts.push(clusterTable(clusters, byCluster), graph(plan, unitCounts));
    if (hasChanges && level < 2) for (const c of clusters) parts.push(clusterSection(plan, c, byCluster.get(c)!, byAddress, level === 0));
    if (level > 0) {
      const left = ['', 'Diffs are', 'Diffs and the per-cluster sections are', 'Diffs, the per-cluster sections, the table and the graph are', 'Most of this plan is'][level];
      parts.push(`> [!NOTE]\n> … truncated: run \`meshctl show ${planFile}\` for the full plan. ${left} left out to stay within GitHub's comment size limit.`);
    }
    parts.push(footer(plan));
    return `${parts.filter(Boolean).join('\n\n')}\n`;
  };

  for (const level of [0, 1, 2, 3] as const) {
    const text = render(level, maxListedDeletions);
    if (size(text) <= maxChars) return text;
  }
  // Level 4: list as many deletions as fit (the count is always in the warning's headline).
  let lo = 0;
  let hi = Math.min(maxListedDeletions, deletes.length);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(render(4, mid)) <= maxChars) lo = mid;
    else hi = mid - 1;
  }
  const text = render(4, lo);
  if (size(text) > maxChars) {
    throw new RangeError(`maxChars ${maxChars} is too small for even the shortest plan comment (${size(text)}): this is a bug in meshctl`);
  }
  return text;
}
