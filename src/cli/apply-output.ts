// Where apply and destroy report progress: human lines, or one JSON object per line
// (`--json`, in the spirit of Terraform's machine-readable UI). Chosen once, at the edge.
import type { Diagnostic } from '../diagnostics.js';
import type { ApplyEvent } from '../executors/events.js';
import type { Plan, PlanSummary } from '../planner/plan.js';
import { meshctlVersion } from '../version.js';
import { completionText, renderEventHuman } from '../views/apply-human.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { changeSummaryJsonLine, diagnosticJsonLine, eventToJsonLine, plannedChangeJsonLines, planSummaryJsonLine, verifyJsonLines, versionJsonLine } from '../views/events-json.js';
import { renderVerifyHuman } from '../views/verify-human.js';
import type { VerifyReport } from '../verify/checks.js';
import { renderPlanHuman } from '../views/plan-human.js';
import type { CliIO } from './io.js';

export interface ApplyOutput {
  start(): void;
  /** `statePath`: where the state was looked for (named when there is none). */
  plan(plan: Plan, o: { statePath: string }): void;
  event(e: ApplyEvent): void;
  diagnostics(d: readonly Diagnostic[], sources?: ReadonlyMap<string, string>): void;
  note(text: string): void;
  done(summary: PlanSummary, operation: 'apply' | 'destroy'): void;
  /** verify's checks, run once an apply succeeded. */
  verify(report: VerifyReport): void;
}

export function applyOutput(opts: { json: boolean; color: boolean; errColor: boolean; io: CliIO; now: () => Date }): ApplyOutput {
  const { io } = opts;
  const stamp = () => ({ timestamp: opts.now().toISOString() });
  if (opts.json) {
    const line = (s: string) => io.stdout.write(`${s}\n`);
    return {
      start: () => line(versionJsonLine({ ...stamp(), meshctlVersion })),
      plan: (plan) => {
        for (const l of plannedChangeJsonLines(plan, stamp())) line(l);
        line(planSummaryJsonLine(plan, stamp()));
      },
      event: (e) => line(eventToJsonLine(e, stamp())),
      diagnostics: (ds) => ds.forEach((d) => line(diagnosticJsonLine(d, stamp()))),
      note: () => undefined,
      done: (summary, operation) => line(changeSummaryJsonLine(summary, { ...stamp(), operation })),
      verify: (report) => verifyJsonLines(report, stamp()).forEach(line),
    };
  }
  return {
    start: () => undefined,
    plan: (plan, o) => io.stdout.write(renderPlanHuman(plan, { color: opts.color, statePath: o.statePath })),
    event: (e) => io.stdout.write(`${renderEventHuman(e)}\n`),
    diagnostics: (ds, sources) => {
      if (ds.length) io.stderr.write(renderDiagnostics(ds, { color: opts.errColor, sources }));
    },
    note: (text) => io.stdout.write(text),
    done: (s, operation) => io.stdout.write(`\n${completionText(s, operation)}\n`),
    verify: (report) => io.stdout.write(`\nVerifying the mesh (meshctl verify):\n${renderVerifyHuman(report, { color: opts.color })}`),
  };
}
