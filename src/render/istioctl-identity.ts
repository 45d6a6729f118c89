// What an istioctl binary is: the version it reports and the sha256 of its file. The render
// cache is keyed by both, since two binaries may report the same version (a patched or rebuilt
// istioctl, another distribution's) and render differently. Both are remembered per file
// (real path, device, inode, size, mtime) in memory and in `<cacheRoot>/istioctl-versions.json`:
// starting a large Go binary to ask its version, or hashing its ~100 MB, would each be a sizeable
// part of a no-op plan.
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { run } from './run.js';

export interface IstioctlIdentity {
  readonly version: string;
  /** Hex sha256 of the binary; absent when its file could not be found or read whole. */
  readonly sha256?: string;
}

/** Per process, so each plan stats the binary once per open and reads nothing else. */
const known = new Map<string, IstioctlIdentity>();

/**
 * The identity of `binary` (a path, or a name looked up on PATH). Failing to run `version` is an
 * error for the caller to word; failing to hash the file is not, it only leaves sha256 out.
 */
export async function identifyIstioctl(binary: string, cacheDir: string): Promise<IstioctlIdentity> {
  const file = await realFile(binary);
  const key = file && fileKey(file.path, file.stat);
  const memo = key ? (known.get(key) ?? (await readVersionsFile(cacheDir))[key]) : undefined;
  if (key && memo) {
    known.set(key, memo);
    return memo;
  }
  // Hashing reads the file while `version` runs: on a cold cache neither waits for the other.
  const hashing = file && key ? sha256Of(file.path, key) : Promise.resolve(undefined);
  const version = await versionFromBinary(binary);
  const sha256 = await hashing;
  if (!key || !sha256) return { version };
  const identity = { version, sha256 };
  known.set(key, identity);
  await rememberInVersionsFile(cacheDir, key, identity);
  return identity;
}

/** Changes whenever the file at the path is replaced or rewritten (renamed over, copied over, relinked). */
function fileKey(file: string, st: Stats): string {
  return [file, st.dev, st.ino, st.size, st.mtimeMs].join('\u0000');
}

async function realFile(binary: string): Promise<{ path: string; stat: Stats } | undefined> {
  const found = binary.includes('/') ? binary : await which(binary);
  if (!found) return undefined;
  try {
    const real = await fs.realpath(found);
    const stat = await fs.stat(real);
    return stat.isFile() ? { path: real, stat } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file's sha256, provided the file read is the one `key` describes from before the first
 * byte to after the last: a binary replaced meanwhile gives no digest rather than a wrong one.
 */
async function sha256Of(file: string, key: string): Promise<string | undefined> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(file, 'r');
    if (fileKey(file, await fh.stat()) !== key) return undefined;
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    if (fileKey(file, await fh.stat()) !== key) return undefined;
    return hash.digest('hex');
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

async function versionFromBinary(binary: string): Promise<string> {
  const out = await run(binary, ['version', '--remote=false', '--short'], { timeoutMs: 30_000 });
  // Prints "client version: 1.31.0" (older releases print the bare version).
  return /(\d+\.\d+\.\d+[^\s]*)/.exec(out)?.[1] ?? out.trim();
}

function versionsFile(cacheDir: string): string {
  return path.join(cacheDir, 'istioctl-versions.json');
}

/** Only well-formed entries: a damaged or foreign file is the same as none. */
async function readVersionsFile(cacheDir: string): Promise<Record<string, IstioctlIdentity>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(versionsFile(cacheDir), 'utf8'));
  } catch {
    return {};
  }
  const out: Record<string, IstioctlIdentity> = {};
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const e = v as Partial<IstioctlIdentity> | null;
    if (e && typeof e === 'object' && typeof e.version === 'string' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)) out[k] = { version: e.version, sha256: e.sha256 };
  }
  return out;
}

/** Best effort: the file only saves time, so a cache directory that cannot be written is no error. */
async function rememberInVersionsFile(cacheDir: string, key: string, identity: IstioctlIdentity): Promise<void> {
  try {
    const entries = await readVersionsFile(cacheDir);
    await fs.mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(versionsFile(cacheDir), JSON.stringify({ ...entries, [key]: identity }), { mode: 0o600 });
  } catch {
    // not remembered; asked again next time
  }
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (
      await fs.access(p).then(
        () => true,
        () => false,
      )
    )
      return p;
  }
  return undefined;
}
