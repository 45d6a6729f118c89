// The local state backend: one JSON file, written atomically (temporary file, fsync, rename)
// with the previous version kept as <file>.backup, and guarded by a lock file (lock-file.ts). The lock is
// advisory, so every write also checks that the file on disk is still the serial this run
// read (a run that ignored or broke the lock must not erase another's records).
import { promises as fs } from 'node:fs';
import { DiagnosticsError, error } from '../diagnostics.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { sameEnvelope, writePlan, type Envelope, type Lock, type LockInfo, type LockRequest, type StateBackend } from './backend.js';
import { acquireLock, forceUnlock } from './lock-file.js';
import { parseState, serializeState } from './read.js';
import { staleWrite } from './stale-write.js';
import type { MeshState } from './state.js';
import { MAX_PLAN_OR_STATE_BYTES, readFailure, readTextBoundedSync } from '../fs/read-bounded.js';
import { writeFailure } from '../fs/write-failure.js';

export { acquireLock, forceUnlock, lockFileOf } from './lock-file.js';

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

  forceUnlock(id: string): Promise<LockInfo | null> {
    return forceUnlock(this.file, id);
  }

  close(): void {}
}

export async function readStateFile(file: string, meshID: string): Promise<MeshState | null> {
  let text: string;
  try {
    text = readTextBoundedSync(file, { maxBytes: MAX_PLAN_OR_STATE_BYTES });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DiagnosticsError([error('Cannot read state file', `${readFailure(file, e)}.`)]);
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
  const cannot = (e: unknown): never => {
    throw new DiagnosticsError([error('Cannot write state file', `${writeFailure(`Writing ${file}`, e)}.`)]);
  };
  try {
    await fs.copyFile(file, `${file}.backup`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') cannot(e);
  }
  await writeFileAtomic(file, text, { mode: 0o600, fsync: true }).catch(cannot);
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
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
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
