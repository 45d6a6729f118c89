// The config stage's entry point: mesh.yaml → Topology, or the diagnostics explaining why not.
// Stages run in order and stop at the first stage with errors (a document that fails the
// schema cannot be checked semantically), but every diagnostic of that stage is reported.
import { dirname, resolve } from 'node:path';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { RawMesh } from './raw.js';
import { normalize } from './normalize.js';
import { decodeText, parseMeshYaml } from './parse.js';
import { MAX_MESH_FILE_BYTES, oversized, pathKind, readMeshFile, realPath, type PathKind } from './read.js';
import { schemaDiagnostics } from './schema.js';
import { semanticDiagnostics } from './semantic.js';
import type { Topology } from './topology.js';

export interface LoadResult {
  /** Present exactly when there are no errors (warnings allowed). */
  readonly topology?: Topology;
  /** Sorted by position. */
  readonly diagnostics: Diagnostic[];
  /** file (as shown in diagnostics) → text, for renderDiagnostics' source excerpts. */
  readonly sources: ReadonlyMap<string, string>;
}

export interface LoadOptions {
  /** Directory relative file names are resolved against; default process.cwd(). */
  readonly cwd?: string;
  /** Directory relative paths inside mesh.yaml are resolved against; default mesh.yaml's. */
  readonly baseDir?: string;
  /** File probe for kubeconfig/trust paths; default the real file system. */
  readonly pathKind?: (absolute: string) => PathKind;
  /** Realpath probe for the untrusted-input rules; default the real file system. */
  readonly realPath?: (absolute: string) => string | undefined;
  /** mesh.yaml is untrusted input (MESHCTL_UNTRUSTED): see src/config/rules-untrusted.ts. */
  readonly untrusted?: boolean;
}

/** Reads and validates mesh.yaml. `file` is shown in diagnostics as given. */
export function loadTopology(file: string, options: LoadOptions = {}): LoadResult {
  const absolute = resolve(options.cwd ?? process.cwd(), file);
  const read = readMeshFile(absolute, file);
  if (!read.ok) return { diagnostics: [read.diagnostic], sources: new Map() };
  return loadTopologyFromBytes(read.bytes, file, options);
}

/** The same from text already in memory (tests, editors). */
export function loadTopologyFromText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  return loadTopologyFromBytes(Buffer.from(text, 'utf8'), file, options);
}

function loadTopologyFromBytes(bytes: Uint8Array, file: string, options: LoadOptions): LoadResult {
  const noSources = new Map<string, string>();
  if (bytes.byteLength > MAX_MESH_FILE_BYTES) return { diagnostics: [oversized(file, bytes.byteLength)], sources: noSources };
  const decoded = decodeText(bytes, file);
  if (decoded.text === undefined) return { diagnostics: decoded.diagnostics, sources: noSources };
  const text = decoded.text;
  const sources = new Map([[file, text]]);
  const done = (diagnostics: Diagnostic[], topology?: Topology): LoadResult => ({
    diagnostics: sortDiagnostics(diagnostics),
    sources,
    ...(topology ? { topology } : {}),
  });

  const parsed = parseMeshYaml(text, file);
  if (!parsed.ok) return done(parsed.diagnostics);
  const diagnostics = [...parsed.diagnostics, ...schemaDiagnostics(parsed.parsed, text)];
  if (hasErrors(diagnostics)) return done(diagnostics);

  const absolute = resolve(options.cwd ?? process.cwd(), file);
  const baseDir = options.baseDir ?? dirname(absolute);
  const mesh = parsed.parsed.value as RawMesh;
  diagnostics.push(
    ...semanticDiagnostics({ mesh, source: parsed.parsed, baseDir, pathKind: options.pathKind ?? pathKind, realPath: options.realPath ?? realPath, untrusted: options.untrusted === true }),
  );
  if (hasErrors(diagnostics)) return done(diagnostics);
  return done(diagnostics, normalize({ mesh, file: absolute, baseDir, bytes }));
}
