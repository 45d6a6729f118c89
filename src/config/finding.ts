// The shared vocabulary of the semantic rules: what a rule sees and how it reports.
import { isAbsolute, resolve } from 'node:path';
import { error, warning, type Diagnostic, type Severity } from '../diagnostics.js';
import { formatPath, rangeAt, type PathSegment, type SourceIndex, type Target } from './positions.js';
import type { RawMesh } from './raw.js';
import type { PathKind } from './read.js';

export interface SemanticContext {
  readonly mesh: RawMesh;
  readonly source: SourceIndex;
  /** Absolute directory of mesh.yaml: relative paths in it are resolved against this. */
  readonly baseDir: string;
  /** Injected file probe (read.ts's pathKind in production) so rules stay free of I/O. */
  readonly pathKind: (absolute: string) => PathKind;
  /** Injected realpath (symbolic links resolved), undefined for a path that does not exist. */
  readonly realPath: (absolute: string) => string | undefined;
  /** MESHCTL_UNTRUSTED: mesh.yaml comes from an untrusted pull request (rules-untrusted.ts). */
  readonly untrusted: boolean;
}

export type Rule = (ctx: SemanticContext) => Diagnostic[];

export interface Finding {
  readonly path: readonly PathSegment[];
  /** Point at the key ("controlPlane:") rather than the value; default value. */
  readonly target?: Target;
  readonly summary: string;
  readonly detail: string;
  readonly hint?: string;
}

/** Builds a diagnostic located at a document path. */
export function finding(ctx: SemanticContext, severity: Severity, f: Finding): Diagnostic {
  const subject = rangeAt(ctx.source, f.path, f.target ?? 'value');
  const make = severity === 'error' ? error : warning;
  return make(f.summary, f.detail, {
    path: formatPath(f.path),
    ...(subject ? { subject } : {}),
    ...(f.hint ? { hint: f.hint } : {}),
  });
}

/** A path from mesh.yaml, made absolute against mesh.yaml's directory. */
export function absolutePath(ctx: Pick<SemanticContext, 'baseDir'>, p: string): string {
  return isAbsolute(p) ? p : resolve(ctx.baseDir, p);
}
