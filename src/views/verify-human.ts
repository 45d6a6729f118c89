// `meshctl verify` for people: one line per check under its cluster or link, ✓ ! ✗ ?, the fix
// to try under every line that did not pass, and a closing count. Pure text from the report.
import type { CheckResult, CheckStatus, VerifyReport } from '../verify/checks.js';
import { palette, type Palette } from './palette.js';

const symbol: Readonly<Record<CheckStatus, string>> = { pass: '✓', warn: '!', fail: '✗', error: '?' };

function paint(p: Palette, s: CheckStatus): (t: string) => string {
  return s === 'pass' ? p.add : s === 'warn' ? p.change : p.remove;
}

export function verifySummaryText(r: VerifyReport): string {
  const c = r.counts;
  const parts = [`${c.pass} passed`, `${c.fail} failed`, `${c.warn} warning${c.warn === 1 ? '' : 's'}`, ...(c.error ? [`${c.error} could not be checked`] : [])];
  return `Verify: ${parts.join(', ')}.`;
}

export function renderVerifyHuman(r: VerifyReport, opts: { readonly color: boolean }): string {
  const p = palette(opts.color);
  const scopes = [...new Set(r.results.map((x) => x.scope))];
  const width = Math.max(0, ...r.results.map((x) => x.check.length));
  const out: string[] = [];
  for (const scope of scopes) {
    out.push(p.bold(scope));
    for (const x of r.results.filter((y) => y.scope === scope)) out.push(...lines(x, p, width));
  }
  out.push('', p.bold(verifySummaryText(r)));
  return `${out.join('\n')}\n`;
}

function lines(x: CheckResult, p: Palette, width: number): string[] {
  const color = paint(p, x.status);
  const first = `  ${color(symbol[x.status])} ${x.check.padEnd(width)}  ${x.summary}`;
  return x.fix && x.status !== 'pass' ? [first, `    ${' '.repeat(width)}  ${p.dim(`fix: ${x.fix}`)}`] : [first];
}
