// The local state backend: one JSON file, written atomically (temporary file, fsync,
// rename) with the previous version kept as <file>.backup, and guarded by a lock file.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { DiagnosticsError, error } from '../diagnostics.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { parseState, serializeState } from './read.js';
import type { MeshState } from './state.js';

export async function readStateFile(file: string, meshID: string): Promise<MeshState | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DiagnosticsError([error('Cannot read state file', `${file}: ${(e as Error).message}`)]);
  }
  const r = parseState(text, { file, meshID });
  if (!r.state) throw new DiagnosticsError(r.diagnostics);
  return r.state;
}

/** Writes the next serial of the state. Never leaves a half-written file behind. */
export async function writeStateFile(file: string, state: MeshState): Promise<MeshState> {
  const next: MeshState = { ...state, serial: state.serial + 1 };
  const text = serializeState(next);
  try {
    await fs.copyFile(file, `${file}.backup`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await writeFileAtomic(file, text, { mode: 0o600, fsync: true });
  return next;
}

export interface LockInfo {
  readonly id: string;
  readonly operation: string;
  readonly who: string;
  readonly pid: number;
  readonly host: string;
  readonly version: string;
  readonly created: string;
}

export interface Lock {
  readonly info: LockInfo;
  release(): Promise<void>;
}

export function lockFileOf(stateFile: string): string {
  return `${stateFile}.lock`;
}

/**
 * Takes the lock, retrying until `timeoutMs`. The error names the holder and its age, and
 * how to break a lock left by a crashed run (`meshctl force-unlock <id>`).
 */
export async function acquireLock(stateFile: string, opts: { operation: string; version: string; timeoutMs: number; now?: () => number }): Promise<Lock> {
  const now = opts.now ?? Date.now;
  const lockFile = lockFileOf(stateFile);
  const info: LockInfo = {
    id: randomUUID(),
    operation: opts.operation,
    who: `${os.userInfo().username}@${os.hostname()}`,
    pid: process.pid,
    host: os.hostname(),
    version: opts.version,
    created: new Date(now()).toISOString(),
  };
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    try {
      await fs.writeFile(lockFile, `${JSON.stringify(info, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      return { info, release: () => fs.rm(lockFile, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (now() >= deadline) {
      const holder = await readLock(lockFile);
      const age = holder ? Math.max(0, Math.round((now() - Date.parse(holder.created)) / 1000)) : 0;
      throw new DiagnosticsError([
        error(
          'Error acquiring the state lock',
          holder
            ? `The state file ${stateFile} is locked by ${holder.who} (pid ${holder.pid}) for "${holder.operation}", taken ${age}s ago (lock ID ${holder.id}, meshctl ${holder.version}). Wait for it to finish, retry with --lock-timeout, or if that run crashed: meshctl force-unlock ${holder.id}`
            : `The state file ${stateFile} is locked (${lockFile}) and the lock cannot be read.`,
        ),
      ]);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function readLock(lockFile: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fs.readFile(lockFile, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Removes a lock only when the caller names its ID, so the wrong lock is never broken. */
export async function forceUnlock(stateFile: string, id: string): Promise<void> {
  const lockFile = lockFileOf(stateFile);
  const holder = await readLock(lockFile);
  if (!holder) throw new DiagnosticsError([error('No lock to remove', `${stateFile} is not locked.`)]);
  if (holder.id !== id) {
    throw new DiagnosticsError([error('Lock ID does not match', `${stateFile} is locked with ID ${holder.id} (by ${holder.who}, "${holder.operation}"), not ${id}. Nothing was removed.`)]);
  }
  await fs.rm(lockFile, { force: true });
}
