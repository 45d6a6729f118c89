// What every state backend gives the commands (Terraform's statemgr.Full + Locker): read the
// state, write its next serial with a compare-and-swap, and a lock. Two backends: a local file
// (local-file.ts) and Secrets plus a Lease in a cluster (kubernetes.ts).
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { MeshState } from './state.js';

export interface StateBackend {
  /** Where the state is, in words a user can act on: a path, or a namespace and context. */
  readonly where: string;
  /** null when there is no state yet. */
  read(): Promise<MeshState | null>;
  /**
   * Stores `state` as serial state.serial + 1 and returns what was stored, only if the stored
   * state is still the one `state` was made from: same lineage and serial state.serial (or no
   * state at all when state.serial is 0). Otherwise nothing is written and it throws a
   * DiagnosticsError saying another run wrote the state.
   * With `base` (state push), `state` is stored exactly as given, serial included, if the stored
   * envelope is `base` (null: no state).
   */
  write(state: MeshState, opts?: { readonly base: Envelope | null }): Promise<MeshState>;
  /** Takes the lock, waiting up to `timeoutMs`; the error names the holder. */
  lock(opts: LockRequest): Promise<Lock>;
  /** Removes the lock only when `id` is its ID. Returns who held it; null for a lock file that named no one (local-file's UNREADABLE_LOCK_ID). */
  forceUnlock(id: string): Promise<LockInfo | null>;
  /** Ends its connections (the Kubernetes backend's HTTP/2 session). */
  close(): void;
}

/** What identifies one version of a state. */
export interface Envelope {
  readonly lineage: string;
  readonly serial: number;
}

/** What a write must find stored, and what it stores (StateBackend.write). */
export function writePlan(state: MeshState, opts: { readonly base: Envelope | null } | undefined): { expected: Envelope | null; next: MeshState } {
  if (opts) return { expected: opts.base, next: state };
  return { expected: state.serial === 0 ? null : { lineage: state.lineage, serial: state.serial }, next: { ...state, serial: state.serial + 1 } };
}

export function sameEnvelope(a: Envelope | null, b: Envelope | null): boolean {
  return a === null || b === null ? a === b : a.lineage === b.lineage && a.serial === b.serial;
}

export interface LockRequest {
  readonly operation: string;
  readonly version: string;
  readonly timeoutMs: number;
  /** Told once when the lock is held by someone else and this run waits for it. */
  readonly onWait?: (holder: LockInfo) => void;
  /** Told when a lock left by a dead or expired holder is taken over (the message names it). */
  readonly onTakeover?: (message: string) => void;
  /** Told if another run takes the lock while this one holds it (a lease that ran out), or release finds it is not this run's any more (force-unlocked). */
  readonly onLost?: (message: string) => void;
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

export function newLockInfo(opts: { operation: string; version: string; now: number }): LockInfo {
  return {
    id: randomUUID(),
    operation: opts.operation,
    who: `${userName()}@${os.hostname()}`,
    pid: process.pid,
    host: os.hostname(),
    version: opts.version,
    created: new Date(opts.now).toISOString(),
  };
}

/** os.userInfo() throws for a uid without a passwd entry (common in CI containers). */
function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['LOGNAME'] ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** "alice@ci-7 (pid 4242) for "apply", taken 42s ago (lock ID …, meshctl 0.1.0)" */
export function describeHolder(holder: LockInfo, now: number): string {
  const age = Math.max(0, Math.round((now - Date.parse(holder.created)) / 1000));
  return `${holder.who} (pid ${holder.pid}) for "${holder.operation}", taken ${age}s ago (lock ID ${holder.id}, meshctl ${holder.version})`;
}

/** Waits between lock attempts; short, so a waiting apply starts soon after the holder ends. */
export const LOCK_RETRY_MS = 200;
