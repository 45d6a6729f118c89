// Renderings of IstioOperators kept on disk (`<cacheRoot>/render/<digest>.json`), since
// `istioctl manifest generate` takes seconds. An entry holds the objects, the sha256 of their
// JSON and the key it was made for (the binary's sha256 and version, the IstioOperator's sha256);
// it is used only if all of these check out on reading. Anything else (a damaged file, one made
// for another binary or IstioOperator, objects changed after writing) is a miss: the caller
// renders again and the entry is replaced. The checks catch damage and mix-ups, not a writer
// who can also recompute the digests: the cache is as trustworthy as its directory, which is
// created 0700 with entries 0600 (docs/security.md).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { KubeObject } from '../kube/object.js';

const FORMAT = 'meshctl-render-cache/1';

/** What a rendering depends on; an entry is only ever used for the key it records. */
export interface RenderCacheKey {
  readonly istioctlSha256: string;
  readonly istioctlVersion: string;
  /** sha256 of the exact text given to istioctl. */
  readonly iopSha256: string;
}

interface RenderCacheEntry {
  readonly format: typeof FORMAT;
  readonly key: RenderCacheKey;
  readonly objectsSha256: string;
  readonly objects: readonly KubeObject[];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function entryFile(dir: string, key: RenderCacheKey): string {
  return path.join(dir, `${sha256Hex(`${FORMAT}\n${key.istioctlSha256}\n${key.istioctlVersion}\n${key.iopSha256}`)}.json`);
}

/** The cached objects for `key`, or undefined when there is no entry that checks out. */
export async function readRenderCache(dir: string, key: RenderCacheKey): Promise<KubeObject[] | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(entryFile(dir, key), 'utf8'));
  } catch {
    return undefined; // absent, unreadable or not JSON
  }
  return verifiedObjects(parsed, key);
}

function verifiedObjects(parsed: unknown, key: RenderCacheKey): KubeObject[] | undefined {
  if (!parsed || typeof parsed !== 'object') return undefined;
  const e = parsed as Partial<Record<keyof RenderCacheEntry, unknown>>;
  if (e.format !== FORMAT || !sameKey(e.key, key) || !Array.isArray(e.objects) || !e.objects.every(isObject)) return undefined;
  // Digesting the parsed objects, not the file's bytes: JSON.stringify reproduces what was
  // written for anything JSON.parse returned, and no text slicing is needed.
  if (e.objectsSha256 !== sha256Hex(JSON.stringify(e.objects))) return undefined;
  return e.objects as KubeObject[];
}

function sameKey(v: unknown, key: RenderCacheKey): boolean {
  if (!v || typeof v !== 'object') return false;
  const k = v as Record<string, unknown>;
  return k.istioctlSha256 === key.istioctlSha256 && k.istioctlVersion === key.istioctlVersion && k.iopSha256 === key.iopSha256;
}

function isObject(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as { kind?: unknown; metadata?: { name?: unknown } | null };
  return typeof o.kind === 'string' && !!o.metadata && typeof o.metadata === 'object' && typeof o.metadata.name === 'string';
}

/**
 * Replaces the entry for `key` whole (other meshctl processes may render the same input at the
 * same time). Best effort: the cache only saves time, so a directory that cannot be written is
 * no error.
 */
export async function writeRenderCache(dir: string, key: RenderCacheKey, objects: readonly KubeObject[]): Promise<void> {
  const entry: RenderCacheEntry = { format: FORMAT, key, objectsSha256: sha256Hex(JSON.stringify(objects)), objects };
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(entryFile(dir, key), JSON.stringify(entry), { mode: 0o600 });
  } catch {
    // not cached; rendered again next time
  }
}
