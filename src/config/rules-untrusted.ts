// mesh.yaml from an untrusted pull request (MESHCTL_UNTRUSTED, docs/security.md): it may
// describe a mesh, not choose what this machine reads or runs. A kubeconfig it names would let
// it pick the server a credential is sent to and the exec plugin that runs, so kubeconfigs come
// only from the CI's own --kubeconfig / KUBECONFIG; every other path it names (trust material,
// the state file) must stay inside mesh.yaml's directory, symbolic links resolved, so it can
// read no file of the runner and make plan's lock file nowhere else.
import { relative, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { absolutePath, finding, type SemanticContext } from './finding.js';
import type { PathSegment } from './positions.js';
import { clusterEntries } from './raw.js';

const KUBECONFIG_REFUSED = 'Kubeconfig from untrusted input';
const OUTSIDE = 'Path outside the mesh directory';

export function untrustedDiagnostics(ctx: SemanticContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kubeconfig = (path: PathSegment[]) =>
    out.push(
      finding(ctx, 'error', {
        path,
        target: 'key',
        summary: KUBECONFIG_REFUSED,
        detail: `MESHCTL_UNTRUSTED is set, so mesh.yaml may not name a kubeconfig: it would choose which server this runner's credentials go to and which credential plugin runs.`,
        hint: 'Remove the kubeconfig key; the CI passes its own with --kubeconfig or KUBECONFIG, and mesh.yaml names contexts in it.',
      }),
    );
  for (const [name, c] of clusterEntries(ctx.mesh)) if (c.kubeconfig !== undefined) kubeconfig(['clusters', name, 'kubeconfig']);
  if (ctx.mesh.state?.kubernetes?.kubeconfig !== undefined) kubeconfig(['state', 'kubernetes', 'kubeconfig']);

  const inside = (path: PathSegment[], file: string, what: string) => {
    const escape = escapes(ctx, file);
    if (!escape) return;
    out.push(
      finding(ctx, 'error', {
        path,
        summary: OUTSIDE,
        detail: `MESHCTL_UNTRUSTED is set, and the ${what} ${file} ${escape}, outside ${ctx.baseDir}, the directory of mesh.yaml: untrusted input may not name files elsewhere on this runner.`,
        hint: 'Name a path inside the mesh directory (no absolute path, no .., no symbolic link out of it).',
      }),
    );
  };
  const trust = ctx.mesh.trust;
  if (trust?.provided) {
    inside(['trust', 'provided', 'rootCert'], trust.provided.rootCert, 'root certificate');
    for (const [name, files] of Object.entries(trust.provided.clusters)) {
      for (const key of ['cert', 'key', 'chain'] as const) inside(['trust', 'provided', 'clusters', name, key], files[key], `${key} file`);
    }
  } else if (!trust?.none) {
    // The defaults too: a pull request may add ./trust as a symbolic link to elsewhere.
    inside(['trust', 'generated', 'directory'], trust?.generated?.directory ?? './trust', trust?.generated?.directory === undefined ? 'trust directory (the default)' : 'trust directory');
  }
  if (!ctx.mesh.state?.kubernetes) {
    inside(['state', 'local', 'path'], ctx.mesh.state?.local?.path ?? './meshctl.state.json', ctx.mesh.state?.local?.path === undefined ? 'state file (the default)' : 'state file');
  }
  return out;
}

/** How `file` leaves the mesh directory, or undefined when it stays inside. */
function escapes(ctx: SemanticContext, file: string): string | undefined {
  const abs = absolutePath(ctx, file);
  if (!within(ctx.baseDir, abs)) return `is ${abs}`;
  const base = ctx.realPath(ctx.baseDir) ?? ctx.baseDir;
  const real = realOrNearest(ctx, abs);
  return within(base, real) ? undefined : `resolves, through a symbolic link, to ${real}`;
}

/** The real path of `abs`, or of its nearest existing ancestor with the rest appended (a file not made yet). */
function realOrNearest(ctx: SemanticContext, abs: string): string {
  const parts = abs.split(sep);
  for (let n = parts.length; n > 0; n--) {
    const real = ctx.realPath(parts.slice(0, n).join(sep) || sep);
    if (real !== undefined) return [real, ...parts.slice(n)].join(sep);
  }
  return abs;
}

function within(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel.split(sep)[0] !== '..');
}
