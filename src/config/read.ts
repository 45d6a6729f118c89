// The only file-system access in src/config: reading mesh.yaml itself, probing the paths it
// references (kubeconfigs, trust material), and loading the bundled JSON Schema. Everything
// else in this folder is pure so it can be tested from strings.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { BoundedReadError, describeRefusal, readBoundedSync } from '../fs/read-bounded.js';
import { error, type Diagnostic } from '../diagnostics.js';

/** mesh.yaml is a small hand-written file; anything bigger is a mistake (or an attack). */
export const MAX_MESH_FILE_BYTES = 1024 * 1024;

export type PathKind = 'file' | 'directory' | 'missing' | 'other';

export type ReadResult = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly diagnostic: Diagnostic };

/** Reads mesh.yaml; every failure is a diagnostic naming the path as the user wrote it. */
export function readMeshFile(absolute: string, displayName: string): ReadResult {
  const kind = pathKind(absolute);
  if (kind === 'missing') {
    return failed('File not found', `${displayName} does not exist. Create it (see examples/) or pass another file with -f.`);
  }
  if (kind === 'directory') {
    return failed('Not a file', `${displayName} is a directory; pass the mesh.yaml inside it with -f.`);
  }
  try {
    return { ok: true, bytes: readBoundedSync(absolute, { maxBytes: MAX_MESH_FILE_BYTES }) };
  } catch (e) {
    if (e instanceof BoundedReadError) {
      const r = e.refusal;
      if (r.kind === 'too-large') return { ok: false, diagnostic: oversized(displayName, r.size) };
      if (r.kind === 'not-a-file') return failed('Not a file', `${displayName} is ${r.what}; mesh.yaml must be a file (or a pipe).`);
      return failed('Cannot read file', `${displayName} ${describeRefusal(r)}.`);
    }
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    return failed('Cannot read file', `${displayName} could not be read (${code}). Check its permissions.`);
  }
}

/** `size` when known (a pipe's is not: reading stopped at the limit). */
export function oversized(displayName: string, size: number | undefined): Diagnostic {
  return error('File too large', `${displayName} is ${size === undefined ? 'larger than 1 MiB' : `${size} bytes`}; meshctl reads at most ${MAX_MESH_FILE_BYTES} bytes (1 MiB) of mesh.yaml.`, {
    hint: 'Check that -f names the mesh.yaml and not another file.',
  });
}

/** What is at a path; never throws (permission problems read as 'other'). */
export function pathKind(absolute: string): PathKind {
  try {
    const st = statSync(absolute);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) return 'directory';
    return 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'other';
  }
}

/** The path with symbolic links resolved; undefined when it does not exist or cannot be read. */
export function realPath(absolute: string): string | undefined {
  try {
    return realpathSync(absolute);
  } catch {
    return undefined;
  }
}

/**
 * The JSON Schema ships next to the code (schemas/ at the package root), found relative to this
 * module so it works from src/ (tsx, vitest) and from dist/ alike. A failure here is a broken
 * install, not a user error, so it throws.
 */
export function readBundledSchema(): unknown {
  const url = new URL('../../schemas/mesh.schema.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

function failed(summary: string, detail: string): ReadResult {
  return { ok: false, diagnostic: error(summary, detail) };
}
