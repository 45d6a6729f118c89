// Apply progress for programs (`apply --json`, `destroy --json`): one JSON object per line, in the
// spirit of Terraform's machine-readable UI. Every line has "@level", "@message" (the same
// words the human view prints), "@module" ("meshctl.ui"), "@timestamp" and "type". Readers
// must ignore types and keys they do not know and may show "@message" for them.
//
// ApplyEvent → line (see docs/plan-format.md):
//   unit-start   → apply_start    info   hook {unit, cluster}
//   object-done  → apply_progress info   hook {unit, address, action, elapsed_seconds}
//   wait-progress→ wait_progress  info   hook {unit, what, elapsed_seconds}
//   wait-done    → wait_complete  info   hook {unit, what, elapsed_seconds}
//   unit-done    → apply_complete info   hook {unit, elapsed_seconds}
//   unit-failed  → apply_errored  error  hook {unit, error}
//   unit-skipped → apply_skipped  warn   hook {unit, because}
// Plus: version (first line), planned_change (one per object with an action), change_summary
// (plan, apply or destroy totals, worded as the human views word them) and diagnostic.
// Timestamps are passed in: views read no clock. Lines carry no trailing newline.
import type { CheckStatus, VerifyReport } from '../verify/checks.js';
import { verifySummaryText } from './verify-human.js';
import type { ApplyEvent } from '../executors/events.js';
import type { Diagnostic } from '../diagnostics.js';
import { assertNever } from '../model/desired.js';
import type { Change, Plan, PlanSummary } from '../planner/plan.js';
import { completionText, renderEventHuman } from './apply-human.js';
import { summaryText } from './plan-human.js';
import { jsonReason } from './plan-json.js';

/** Version of this stream's shape; same minor/major rules as the plan JSON format (1.1: forget). */
export const uiFormatVersion = '1.1';

export type Level = 'info' | 'warn' | 'error';

interface Stamp {
  readonly timestamp: string;
}

function line(level: Level, message: string, timestamp: string, type: string, rest: Record<string, unknown>): string {
  return JSON.stringify({ '@level': level, '@message': message, '@module': 'meshctl.ui', '@timestamp': timestamp, type, ...rest });
}

const seconds = (ms: number) => Math.round(ms / 1000);

export function eventToJsonLine(e: ApplyEvent, opts: Stamp): string {
  const msg = renderEventHuman(e);
  const t = opts.timestamp;
  switch (e.type) {
    case 'unit-start':
      return line('info', msg, t, 'apply_start', { hook: { unit: e.unit, cluster: e.cluster } });
    case 'object-done':
      return line('info', msg, t, 'apply_progress', {
        hook: { unit: e.unit, address: e.address, action: e.action, elapsed_seconds: seconds(e.elapsedMs) },
      });
    case 'wait-progress':
      return line('info', msg, t, 'wait_progress', { hook: { unit: e.unit, what: e.what, elapsed_seconds: seconds(e.elapsedMs) } });
    case 'wait-done':
      return line('info', msg, t, 'wait_complete', { hook: { unit: e.unit, what: e.what, elapsed_seconds: seconds(e.elapsedMs) } });
    case 'unit-done':
      return line('info', msg, t, 'apply_complete', { hook: { unit: e.unit, elapsed_seconds: seconds(e.elapsedMs) } });
    case 'unit-failed':
      return line('error', msg, t, 'apply_errored', { hook: { unit: e.unit, error: e.message } });
    case 'unit-skipped':
      return line('warn', msg, t, 'apply_skipped', { hook: { unit: e.unit, because: e.because } });
    default:
      return assertNever(e, 'apply event');
  }
}

/** The first line of every stream. */
export function versionJsonLine(opts: Stamp & { readonly meshctlVersion: string }): string {
  return line('info', `meshctl ${opts.meshctlVersion}`, opts.timestamp, 'version', { meshctl: opts.meshctlVersion, ui: uiFormatVersion });
}

const verb: Record<Exclude<Change['action'], 'noop'>, string> = { create: 'Plan to create', update: 'Plan to update', delete: 'Plan to delete', forget: 'Plan to release', replace: 'Plan to replace' };

/** One planned_change line per object apply would act on, in apply order. */
export function plannedChangeJsonLines(plan: Plan, opts: Partial<Stamp> = {}): string[] {
  const t = opts.timestamp ?? plan.createdAt;
  return plan.changes
    .filter((c) => c.action !== 'noop')
    .map((c) => {
      const action = c.action as Exclude<Change['action'], 'noop'>;
      return line('info', `${c.address}: ${verb[action]}`, t, 'planned_change', {
        change: { resource: { addr: c.address, unit: c.unit, cluster: c.cluster, kind: c.ref.kind, api_version: c.ref.apiVersion }, action, reason: jsonReason[c.reason] },
      });
    });
}

export type Operation = 'plan' | 'apply' | 'destroy';

function summaryJsonLine(summary: PlanSummary, o: Stamp & { readonly operation: Operation; readonly message: string }): string {
  return line('info', o.message, o.timestamp, 'change_summary', {
    changes: { add: summary.add, change: summary.change, remove: summary.destroy, forget: summary.forget, operation: o.operation },
  });
}

/** change_summary for a finished apply or destroy (counts of what was actually done). */
export function changeSummaryJsonLine(summary: PlanSummary, opts: Stamp & { readonly operation: Exclude<Operation, 'plan'> }): string {
  return summaryJsonLine(summary, { ...opts, message: completionText(summary, opts.operation) });
}

/** change_summary of a plan; stamped with the plan's createdAt unless a timestamp is given. */
export function planSummaryJsonLine(plan: Plan, opts: Partial<Stamp> = {}): string {
  return summaryJsonLine(plan.summary, { timestamp: opts.timestamp ?? plan.createdAt, operation: 'plan', message: summaryText(plan) });
}

/** One line per verify check after an apply (`verify_check`), then `verify_summary`. */
export function verifyJsonLines(r: VerifyReport, opts: Stamp): string[] {
  const level = (s: CheckStatus): Level => (s === 'pass' ? 'info' : s === 'warn' ? 'warn' : 'error');
  return [
    ...r.results.map((x) =>
      line(level(x.status), `${x.scope}: ${x.check}: ${x.summary}`, opts.timestamp, 'verify_check', {
        check: { check: x.check, scope: x.scope, status: x.status, summary: x.summary, fix: x.fix ?? null },
      }),
    ),
    line(r.counts.fail + r.counts.error ? 'error' : 'info', verifySummaryText(r), opts.timestamp, 'verify_summary', { counts: { ...r.counts } }),
  ];
}

export function diagnosticJsonLine(d: Diagnostic, opts: Stamp): string {
  const level: Level = d.severity === 'error' ? 'error' : 'warn';
  return line(level, `${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.summary}`, opts.timestamp, 'diagnostic', { diagnostic: { ...d } });
}
