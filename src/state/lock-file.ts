// The local backend's lock: <state file>.lock, a small JSON file naming its holder. It only ever
// appears whole: the holder is written to a temporary file beside it, which is then hard-linked
// to the lock's name (link() fails when the name exists, so two runs never both take it). A lock
// is only ever removed while it is the one expected (this run's, a dead holder's, the ID
// force-unlock was given): after a force-unlock the next run's lock has the same name.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagnosticsError, error } from '../diagnostics.js';
import { describeHolder, LOCK_RETRY_MS, newLockInfo, type Lock, type LockInfo, type LockRequest } from './backend.js';
import { errnoOf, writeFailureReason } from '../fs/write-failure.js';

/**
 * What `meshctl force-unlock` is given for a lock file that holds no lock ID (empty, or not a
 * meshctl lock: an older meshctl that could not finish writing it). No real ID looks like it.
 */
export const UNREADABLE_LOCK_ID = 'unreadable';

export function lockFileOf(stateFile: string): string {
  return `${stateFile}.lock`;
}

/** What is at the lock's name. `garbled`: there, but no lock ID in it. `unreadable`: it cannot be opened or read. */
type LockOnDisk =
  { readonly kind: 'none' } | { readonly kind: 'held'; readonly info: LockInfo } | { readonly kind: 'garbled'; readonly what: string } | { readonly kind: 'unreadable'; readonly why: string };

const heldBy =
  (id: string) =>
  (found: LockOnDisk): boolean =>
    found.kind === 'held' && found.info.id === id;

/**
 * Takes the lock, retrying until `timeoutMs`. A lock whose holder ran on this host and whose
 * process is gone is taken over, with a message (an OS file lock would have been released by
 * the kernel). A holder on another host cannot be checked: the error says how to break it.
 */
export async function acquireLock(stateFile: string, opts: LockRequest & { now?: () => number }): Promise<Lock> {
  const now = opts.now ?? Date.now;
  const lockFile = lockFileOf(stateFile);
  const info = newLockInfo({ operation: opts.operation, version: opts.version, now: now() });
  const text = `${JSON.stringify(info, null, 2)}\n`;
  const deadline = now() + opts.timeoutMs;
  let told = false;
  let vanished = false;
  for (;;) {
    if (await createLock(lockFile, text).catch(rethrowAs('Error acquiring the state lock', `Cannot create the lock file ${lockFile} for the state file ${stateFile}`))) {
      return { info, release: () => releaseLock(lockFile, info, opts.onLost) };
    }
    const found = await readLockFile(lockFile);
    if (found.kind === 'held' && holderIsDead(found.info)) {
      if (await removeIf(lockFile, heldBy(found.info.id))) {
        opts.onTakeover?.(`Took over the state lock of ${describeHolder(found.info, now())}: process ${found.info.pid} no longer runs on ${found.info.host}.`);
      }
      continue;
    }
    // Released between the two calls: try again at once, once (a name that exists but cannot
    // be opened, such as a broken symbolic link, would otherwise spin here).
    if (found.kind === 'none' && !vanished) {
      vanished = true;
      continue;
    }
    if (now() >= deadline) throw lockedError(stateFile, lockFile, found, now());
    if (found.kind === 'held' && !told) {
      told = true;
      opts.onWait?.(found.info);
    }
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    vanished = false;
  }
}

function lockedError(stateFile: string, lockFile: string, found: LockOnDisk, now: number): DiagnosticsError {
  const detail =
    found.kind === 'held'
      ? `The state file ${stateFile} is locked by ${describeHolder(found.info, now)}. Wait for it to finish, retry with --lock-timeout, or if that run crashed: meshctl force-unlock ${found.info.id}`
      : found.kind === 'garbled'
        ? `The state file ${stateFile} is locked (${lockFile}), but the lock is ${found.what}, so it names no holder (a run that could not finish writing it?). If no run is using the state: meshctl force-unlock ${UNREADABLE_LOCK_ID}`
        : `The state file ${stateFile} is locked (${lockFile}), but the lock cannot be read: ${found.kind === 'unreadable' ? found.why : 'it cannot be opened (a broken symbolic link?)'}.`;
  return new DiagnosticsError([error('Error acquiring the state lock', detail)]);
}

/** Same host and no such process. EPERM means it runs as another user: alive. */
function holderIsDead(holder: LockInfo): boolean {
  if (holder.host !== os.hostname() || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return errnoOf(e) === 'ESRCH';
  }
}

/** Removes this run's lock; one that is not this run's any more (force-unlocked, then taken) is left alone, and `onLost` told. */
async function releaseLock(lockFile: string, info: LockInfo, onLost: ((message: string) => void) | undefined): Promise<void> {
  const removed = await removeIf(lockFile, heldBy(info.id)).catch(
    rethrowAs('Error releasing the state lock', `Cannot remove the state lock ${lockFile} (once that can be done: meshctl force-unlock ${info.id})`),
  );
  if (!removed) onLost?.(`The state lock ${lockFile} was no longer this run's (force-unlocked?); left the current holder's lock, if any, in place.`);
}

/**
 * Creates the lock holding `text`; false when a lock is there already. The lock's name only
 * ever shows the whole text: a write that fails (a full disk) fails on the temporary file.
 */
async function createLock(lockFile: string, text: string): Promise<boolean> {
  const temp = path.join(path.dirname(lockFile), `.${path.basename(lockFile)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    await fs.writeFile(temp, text, { flag: 'wx', mode: 0o600 });
    try {
      await fs.link(temp, lockFile);
      return true;
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(errnoOf(e) ?? '')) throw e;
    }
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined); // the error that matters is the one above
  }
  return createInPlace(lockFile, text);
}

/** What link() says on a file system without hard links (FAT, some network and FUSE file systems). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** Without hard links: created exclusively under its own name, and removed again if the write fails. */
async function createInPlace(lockFile: string, text: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockFile, 'wx', 0o600);
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(text);
    await handle.close();
    return true;
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(lockFile, { force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * Removes the lock if it is what `expected` accepts. It is read, then moved aside (rename is
 * atomic) and read again: a lock another run took in between is put back, not removed.
 */
async function removeIf(lockFile: string, expected: (found: LockOnDisk) => boolean): Promise<boolean> {
  if (!expected(await readLockFile(lockFile))) return false;
  const aside = `${lockFile}.${randomUUID()}.removing`;
  try {
    await fs.rename(lockFile, aside);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return false;
    throw e;
  }
  if (expected(await readLockFile(aside))) {
    await fs.rm(aside, { force: true });
    return true;
  }
  await putBack(aside, lockFile);
  return false;
}

/** A lock moved aside goes back under its name, unless a newer lock took the name meanwhile (rename would replace that one). */
async function putBack(aside: string, lockFile: string): Promise<void> {
  try {
    await fs.link(aside, lockFile);
  } catch (e) {
    if (NO_HARD_LINKS.has(errnoOf(e) ?? '')) {
      await fs.rename(aside, lockFile);
      return;
    }
    if (errnoOf(e) !== 'EEXIST') throw e;
  }
  await fs.rm(aside, { force: true });
}

async function readLockFile(file: string): Promise<LockOnDisk> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return { kind: 'none' };
    return { kind: 'unreadable', why: errnoOf(e) === 'EACCES' ? 'permission denied (another user holds it?)' : (e as Error).message };
  }
  if (text.trim() === '') return { kind: 'garbled', what: 'empty' };
  try {
    const info = JSON.parse(text) as Partial<LockInfo> | null;
    if (typeof info?.id === 'string' && info.id !== '') return { kind: 'held', info: info as LockInfo };
  } catch {
    // not JSON: garbled, as below
  }
  return { kind: 'garbled', what: 'not a meshctl lock (no JSON naming a lock ID)' };
}

/**
 * Removes a lock only when the caller names its ID, so the wrong lock is never broken; a lock
 * file naming no holder is removed with UNREADABLE_LOCK_ID. Returns the holder (null for that).
 */
export async function forceUnlock(stateFile: string, id: string): Promise<LockInfo | null> {
  const lockFile = lockFileOf(stateFile);
  const found = await readLockFile(lockFile);
  const refuse = (summary: string, detail: string) => new DiagnosticsError([error(summary, `${detail} Nothing was removed.`)]);
  if (found.kind === 'none') throw new DiagnosticsError([error('No lock to remove', `${stateFile} is not locked.`)]);
  if (found.kind === 'unreadable') throw refuse('Lock cannot be read', `${stateFile} is locked (${lockFile}), but the lock cannot be read: ${found.why}.`);
  if (found.kind === 'garbled' && id !== UNREADABLE_LOCK_ID) {
    throw refuse('Lock ID does not match', `${stateFile} is locked by a lock file that is ${found.what} (${lockFile}), not ${id}. To remove it: meshctl force-unlock ${UNREADABLE_LOCK_ID}.`);
  }
  if (found.kind === 'held' && found.info.id !== id) {
    throw refuse('Lock ID does not match', `${stateFile} is locked with ID ${found.info.id} (by ${found.info.who}, "${found.info.operation}"), not ${id}.`);
  }
  const expected = found.kind === 'held' ? heldBy(id) : (f: LockOnDisk) => f.kind === 'garbled';
  const removed = await removeIf(lockFile, expected).catch(rethrowAs('Cannot remove the lock', `Cannot remove the state lock ${lockFile}`));
  if (!removed) throw refuse('Lock changed', `The lock of ${stateFile} changed while it was being removed (another run released or took it). Look again.`);
  return found.kind === 'held' ? found.info : null;
}

/** A file system error on the lock, in words a user can act on; anything else is a bug and stays as it is. */
function rethrowAs(summary: string, what: string): (e: unknown) => never {
  return (e) => {
    const code = errnoOf(e);
    if (!code) throw e;
    throw new DiagnosticsError([error(summary, `${what}: ${writeFailureReason(code, e as Error)}.`)]);
  };
}
