// The local state backend: one JSON file, written atomically (temporary file, fsync, rename)
// with the previous version kept as <file>.backup, and guarded by a lock file. The lock is
// advisory, so every write also checks that the file on disk is still the serial this run
// read (a run that ignored or broke the lock must not erase another's records).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { DiagnosticsError, error } from '../diagnostics.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { describeHolder, LOCK_RETRY_MS, newLockInfo, sameEnvelope, writePlan, type Envelope, type Lock, type LockInfo, type LockRequest, type StateBackend } from './backend.js';
import { parseState, serializeState } from './read.js';
import { staleWrite } from './stale-write.js';
import type { MeshState } from './state.js';

export class LocalStateBackend implements StateBackend {
  readonly where: string;

  constructor(
    readonly file: string,
    private readonly meshID: string,
    private readonly now: () => number = Date.now,
  ) {
    this.where = file;
  }

  read(): Promise<MeshState | null> {
    return readStateFile(this.file, this.meshID);
  }

  write(state: MeshState, opts?: { readonly base: Envelope | null }): Promise<MeshState> {
    return writeStateFile(this.file, state, opts);
  }

  lock(opts: LockRequest): Promise<Lock> {
    return acquireLock(this.file, { ...opts, now: this.now });
  }

  forceUnlock(id: string): Promise<LockInfo> {
    return forceUnlock(this.file, id);
  }

  close(): void {}
}

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

/** Writes the next serial of the state, if the file still holds `state`'s serial (StateBackend.write). Never leaves a half-written file behind. */
export async function writeStateFile(file: string, state: MeshState, opts?: { readonly base: Envelope | null }): Promise<MeshState> {
  const { expected, next } = writePlan(state, opts);
  const onDisk = await envelopeOnDisk(file);
  if (!sameEnvelope(onDisk, expected)) throw staleWrite(file, { expected, found: onDisk });
  const text = serializeState(next);
  try {
    await fs.copyFile(file, `${file}.backup`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await writeFileAtomic(file, text, { mode: 0o600, fsync: true });
  return next;
}

/**
 * The lineage and serial of the file on disk, from its first bytes only: serializeState writes
 * the envelope first, and the file is megabytes (Istio's CRDs), rewritten after every batch.
 */
async function envelopeOnDisk(file: string): Promise<Envelope | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8');
    const lineage = /"lineage": "([^"]*)"/.exec(head)?.[1];
    const serial = /"serial": (\d+)/.exec(head)?.[1];
    if (lineage !== undefined && serial !== undefined) return { lineage, serial: Number(serial) };
  } finally {
    await handle.close();
  }
  // Not written by serializeState (edited by hand?): read it whole.
  const whole = JSON.parse(await fs.readFile(file, 'utf8')) as { lineage?: unknown; serial?: unknown };
  return { lineage: String(whole.lineage), serial: Number(whole.serial) };
}

export function lockFileOf(stateFile: string): string {
  return `${stateFile}.lock`;
}

/**
 * Takes the lock, retrying until `timeoutMs`. A lock whose holder ran on this host and whose
 * process is gone is taken over, with a message (an OS file lock would have been released by
 * the kernel). A holder on another host cannot be checked: the error says how to break it.
 */
export async function acquireLock(stateFile: string, opts: LockRequest & { now?: () => number }): Promise<Lock> {
  const now = opts.now ?? Date.now;
  const lockFile = lockFileOf(stateFile);
  const info = newLockInfo({ operation: opts.operation, version: opts.version, now: now() });
  const deadline = now() + opts.timeoutMs;
  let told = false;
  for (;;) {
    try {
      await fs.writeFile(lockFile, `${JSON.stringify(info, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      return { info, release: () => fs.rm(lockFile, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readLock(lockFile);
    if (holder && holderIsDead(holder)) {
      if (await takeOver(lockFile, holder)) {
        opts.onTakeover?.(`Took over the state lock of ${describeHolder(holder, now())}: process ${holder.pid} no longer runs on ${holder.host}.`);
      }
      continue;
    }
    if (now() >= deadline) {
      throw new DiagnosticsError([
        error(
          'Error acquiring the state lock',
          holder
            ? `The state file ${stateFile} is locked by ${describeHolder(holder, now())}. Wait for it to finish, retry with --lock-timeout, or if that run crashed: meshctl force-unlock ${holder.id}`
            : `The state file ${stateFile} is locked (${lockFile}) and the lock cannot be read.`,
        ),
      ]);
    }
    if (holder && !told) {
      told = true;
      opts.onWait?.(holder);
    }
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
  }
}

/** Same host and no such process. EPERM means it runs as another user: alive. */
function holderIsDead(holder: LockInfo): boolean {
  if (holder.host !== os.hostname() || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves the dead holder's lock aside (rename is atomic). Two runs may see the same dead lock: if
 * what was moved turns out to be another run's fresh lock, it is put back.
 */
async function takeOver(lockFile: string, dead: LockInfo): Promise<boolean> {
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    await fs.rename(lockFile, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = await readLock(aside);
  if (moved?.id !== dead.id) {
    await fs.rename(aside, lockFile);
    return false;
  }
  await fs.rm(aside, { force: true });
  return true;
}

export async function readLock(lockFile: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fs.readFile(lockFile, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Removes a lock only when the caller names its ID, so the wrong lock is never broken. */
export async function forceUnlock(stateFile: string, id: string): Promise<LockInfo> {
  const lockFile = lockFileOf(stateFile);
  const holder = await readLock(lockFile);
  if (!holder) throw new DiagnosticsError([error('No lock to remove', `${stateFile} is not locked.`)]);
  if (holder.id !== id) {
    throw new DiagnosticsError([error('Lock ID does not match', `${stateFile} is locked with ID ${holder.id} (by ${holder.who}, "${holder.operation}"), not ${id}. Nothing was removed.`)]);
  }
  await fs.rm(lockFile, { force: true });
  return holder;
}
