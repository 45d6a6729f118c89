// Diagnostics are values, not exceptions: every stage returns a list of them so the user sees
// all problems at once, each pointing at the place in mesh.yaml (or another input) to fix.
// Modelled on Terraform's tfdiags: a short fixed summary plus a full-sentence detail.

export type Severity = 'error' | 'warning';

/** A 1-based line/column range in a source file. */
export interface SourceRange {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Short and stable; suitable for grepping and for tests ("Unknown key"). */
  readonly summary: string;
  /** Full sentences: what happened and what to do about it. */
  readonly detail: string;
  /** Where in the input; absent for problems that belong to no single place. */
  readonly subject?: SourceRange;
  /** A path into the document, e.g. "clusters.cluster2.network", when known. */
  readonly path?: string;
  /** One line suggesting a fix ("did you mean 'network'?"). */
  readonly hint?: string;
}

export function error(summary: string, detail: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', summary, detail, ...extra };
}

export function warning(summary: string, detail: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'warning', summary, detail, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Sorts by file, then position, so output is stable whatever order checks ran in. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const fa = a.subject?.file ?? '';
    const fb = b.subject?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.subject?.line ?? Number.MAX_SAFE_INTEGER;
    const lb = b.subject?.line ?? Number.MAX_SAFE_INTEGER;
    if (la !== lb) return la - lb;
    return (a.subject?.column ?? 0) - (b.subject?.column ?? 0);
  });
}

/**
 * A user-caused failure that stops a command: the CLI prints the diagnostics and exits 1
 * without a stack trace. Internal bugs are ordinary Errors and say so.
 */
export class DiagnosticsError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.summary).join('; '));
    this.name = 'DiagnosticsError';
    this.diagnostics = diagnostics;
  }
}

export function isDiagnosticsError(e: unknown): e is DiagnosticsError {
  return e instanceof Error && e.name === 'DiagnosticsError' && 'diagnostics' in e;
}

/** Shorthand for throwing one user-facing error from I/O code (executors, observe, state). */
export function fail(summary: string, detail: string, extra: Partial<Diagnostic> = {}): never {
  throw new DiagnosticsError([error(summary, detail, extra)]);
}
