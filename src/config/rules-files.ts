// Rules about files mesh.yaml refers to. The probe is injected (SemanticContext.pathKind), so
// these rules do no I/O themselves and tests can describe any file system.
import type { Diagnostic } from '../diagnostics.js';
import { absolutePath, finding, type Rule, type SemanticContext } from './finding.js';
import type { PathSegment } from './positions.js';
import { clusterEntries } from './raw.js';
import { closest } from './suggest.js';

const kubeconfigFiles: Rule = (ctx) =>
  clusterEntries(ctx.mesh).flatMap(([name, c]) => (c.kubeconfig === undefined ? [] : expectFile(ctx, ['clusters', name, 'kubeconfig'], c.kubeconfig, 'kubeconfig')));

/** Provided trust: the files exist, and every cluster (and only declared ones) has its CA. */
const providedTrust: Rule = (ctx) => {
  const provided = ctx.mesh.trust?.provided;
  if (!provided) return [];
  const base = ['trust', 'provided'];
  const out = expectFile(ctx, [...base, 'rootCert'], provided.rootCert, 'root certificate');
  const names = Object.keys(ctx.mesh.clusters);
  for (const [name, files] of Object.entries(provided.clusters).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!ctx.mesh.clusters[name]) {
      const guess = closest(name, names);
      out.push(
        finding(ctx, 'error', {
          path: [...base, 'clusters', name],
          target: 'key',
          summary: 'Unknown cluster',
          detail: `trust.provided.clusters has an entry for ${name}, which is not a cluster in this mesh. Declared clusters: ${names.join(', ')}.`,
          hint: guess ? `Did you mean "${guess}"?` : 'Remove the entry.',
        }),
      );
      continue;
    }
    for (const key of ['cert', 'key', 'chain'] as const) {
      out.push(...expectFile(ctx, [...base, 'clusters', name, key], files[key], `${key} file`));
    }
  }
  for (const [name] of clusterEntries(ctx.mesh)) {
    if (Object.hasOwn(provided.clusters, name)) continue;
    out.push(
      finding(ctx, 'error', {
        path: [...base, 'clusters'],
        target: 'key',
        summary: 'Missing cluster CA',
        detail: `trust.provided.clusters has no entry for cluster ${name}. Every cluster gets a cacerts Secret with its own intermediate CA (cert, key and chain), as in the guide's "before you begin".`,
        hint: `Add ${name}: { cert: …, key: …, chain: … }.`,
      }),
    );
  }
  return out;
};

/** The generated-trust directory may be absent (meshctl creates it), but not a file. */
const generatedTrust: Rule = (ctx) => {
  const dir = ctx.mesh.trust?.generated?.directory;
  if (dir === undefined) return [];
  const kind = ctx.pathKind(absolutePath(ctx, dir));
  if (kind === 'directory' || kind === 'missing') return [];
  return [
    finding(ctx, 'error', {
      path: ['trust', 'generated', 'directory'],
      summary: 'Not a directory',
      detail: `trust.generated.directory ${dir} exists and is not a directory; meshctl keeps the generated CAs in a directory there.`,
      hint: 'Name a directory, or a path that does not exist yet.',
    }),
  ];
};

function expectFile(ctx: SemanticContext, path: PathSegment[], file: string, what: string): Diagnostic[] {
  const abs = absolutePath(ctx, file);
  const kind = ctx.pathKind(abs);
  if (kind === 'file') return [];
  const problem = kind === 'missing' ? 'does not exist' : kind === 'directory' ? 'is a directory, not a file' : 'cannot be read';
  return [
    finding(ctx, 'error', {
      path,
      summary: kind === 'missing' ? 'File not found' : 'Not a file',
      detail: `The ${what} ${file} ${problem}${file === abs ? '' : ` (resolved to ${abs})`}.`,
      hint: 'Relative paths are relative to the directory holding mesh.yaml.',
    }),
  ];
}

export const fileRules: readonly Rule[] = [kubeconfigFiles, providedTrust, generatedTrust];
