// `meshctl verify --json`: the report for programs. Minor versions only add keys.
import type { VerifyReport } from '../verify/checks.js';
import { verifySummaryText } from './verify-human.js';

export const verifyJsonFormatVersion = '1.0';

export function renderVerifyJson(r: VerifyReport, o: { readonly meshID: string; readonly at: string }): string {
  const doc = {
    format_version: verifyJsonFormatVersion,
    mesh_id: o.meshID,
    checked_at: o.at,
    ok: r.counts.fail === 0 && r.counts.error === 0,
    summary: { passed: r.counts.pass, failed: r.counts.fail, warnings: r.counts.warn, errors: r.counts.error, message: verifySummaryText(r) },
    checks: r.results.map((x) => ({ check: x.check, scope: x.scope, status: x.status, summary: x.summary, fix: x.fix ?? null })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
