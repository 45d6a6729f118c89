// Human rendering of diagnostics, after Terraform and rustc: severity and summary, where,
// the offending source line with the range underlined, the detail, a hint, and a final count.
// Views do no I/O: the caller passes the source texts it already read (LoadResult.sources).
import type { Diagnostic, SourceRange } from '../diagnostics.js';
import { terminalSafe } from './terminal-safe.js';

export interface RenderOptions {
  /** ANSI colour; callers decide (NO_COLOR, TTY, --no-color). */
  readonly color: boolean;
  /** file (as named in SourceRange.file) → its text, for the source excerpt. */
  readonly sources?: ReadonlyMap<string, string>;
}

interface Palette {
  readonly error: (s: string) => string;
  readonly warning: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly hint: (s: string) => string;
}

const ansi = (open: string) => (s: string) => `\u001b[${open}m${s}\u001b[0m`;
const colors: Palette = { error: ansi('1;31'), warning: ansi('1;33'), dim: ansi('2'), bold: ansi('1'), hint: ansi('36') };
const plain: Palette = { error: (s) => s, warning: (s) => s, dim: (s) => s, bold: (s) => s, hint: (s) => s };

/** All diagnostics, each followed by a blank line, then "N errors, M warnings". '' for none. */
export function renderDiagnostics(diags: readonly Diagnostic[], options: RenderOptions): string {
  if (diags.length === 0) return '';
  const p = options.color ? colors : plain;
  const lines = new Map<string, string[]>();
  const linesOf = (file: string) => {
    let cached = lines.get(file);
    const text = options.sources?.get(file);
    if (!cached && text !== undefined) lines.set(file, (cached = text.split(/\r?\n/)));
    return cached;
  };
  const blocks = diags.map((d) => renderOne(d, p, d.subject ? linesOf(d.subject.file) : undefined));
  return `${blocks.join('\n')}\n${summaryLine(diags)}\n`;
}

/** "1 error, 2 warnings" */
export function summaryLine(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  return `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
}

function renderOne(d: Diagnostic, p: Palette, source: string[] | undefined): string {
  const out: string[] = [];
  const paint = d.severity === 'error' ? p.error : p.warning;
  // Every text here may carry what a server or a file said: made safe before colouring.
  const safe = terminalSafe;
  out.push(`${paint(d.severity === 'error' ? 'Error' : 'Warning')}${p.bold(`: ${safe(d.summary)}`)}`);
  if (d.subject) {
    const s = d.subject;
    out.push('', `  on ${safe(s.file)} line ${s.line}, column ${s.column}${d.path ? ` (${safe(d.path)})` : ''}:`);
    const excerpt = source ? excerptLines(s, source, p, paint) : [];
    out.push(...excerpt);
  } else if (d.path) {
    out.push('', `  at ${safe(d.path)}:`);
  }
  out.push('', safe(d.detail));
  if (d.hint) out.push(p.hint(`Hint: ${safe(d.hint)}`));
  return `${out.join('\n')}\n`;
}

/** The first line of the range with a caret underline; multi-line ranges underline to its end. */
function excerptLines(s: SourceRange, source: string[], p: Palette, paint: (x: string) => string): string[] {
  const raw = source[s.line - 1];
  if (raw === undefined) return [];
  // Tabs become single spaces so caret columns line up with character columns.
  const text = raw.replace(/\t/g, ' ');
  const gutter = String(s.line).length + 4;
  const start = Math.min(s.column, text.length + 1);
  const lastCol = s.endLine === s.line ? s.endColumn : text.trimEnd().length + 1;
  const width = Math.max(1, Math.min(lastCol, text.length + 1) - start);
  return [`${p.dim(`${String(s.line).padStart(gutter - 2)} |`)} ${terminalSafe(text)}`, `${p.dim(`${' '.repeat(gutter - 2)} |`)} ${' '.repeat(start - 1)}${paint('^'.repeat(width))}`];
}
