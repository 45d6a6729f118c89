// Reading a file a user named (mesh.yaml, a plan, a state to push, a kubeconfig) without
// trusting what it is: at most `maxBytes` are read whatever its size claims, a device
// (/dev/zero, /dev/urandom) or socket is refused before any read, and a pipe that stops
// producing (a FIFO nobody writes to) fails after `idleMs` instead of hanging. Pipes are read:
// `-f <(envsubst < mesh.yaml)` and `state push /dev/stdin` are real uses.
import { closeSync, constants as fsc, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export type ReadRefusal =
  /** A device, socket or directory: nothing a user means by "a file". */
  | { readonly kind: 'not-a-file'; readonly what: string }
  | { readonly kind: 'too-large'; readonly maxBytes: number; readonly size?: number }
  /** A pipe that gave no byte for idleMs. */
  | { readonly kind: 'stalled'; readonly idleMs: number };

/** Why a bounded read refused; `code` is set for the operating system's own errors. */
export class BoundedReadError extends Error {
  readonly refusal: ReadRefusal;
  constructor(file: string, refusal: ReadRefusal) {
    super(`${file} ${describeRefusal(refusal)}`);
    this.name = 'BoundedReadError';
    this.refusal = refusal;
  }
}

export function describeRefusal(r: ReadRefusal): string {
  switch (r.kind) {
    case 'not-a-file':
      return `is ${r.what}, not a file`;
    case 'too-large':
      return `is larger than ${r.maxBytes} bytes${r.size !== undefined ? ` (${r.size} bytes)` : ''}`;
    case 'stalled':
      return `gave no data for ${Math.round(r.idleMs / 1000)} s (a pipe or FIFO nothing writes to?)`;
  }
}

export interface BoundedReadOptions {
  readonly maxBytes: number;
  /** How long a pipe may give nothing before the read fails; default 10 s. */
  readonly idleMs?: number;
}

const CHUNK = 64 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The whole content of `file`, or a BoundedReadError; other failures (ENOENT, EACCES) are
 * thrown as the operating system's errors, for callers that word them.
 */
export function readBoundedSync(file: string, o: BoundedReadOptions): Buffer {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise block forever, before any timer.
  const fd = openSync(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    const what = nonFile(st);
    if (what) throw new BoundedReadError(file, { kind: 'not-a-file', what });
    if (st.isFile() && st.size > o.maxBytes) throw new BoundedReadError(file, { kind: 'too-large', maxBytes: o.maxBytes, size: st.size });
    const idleMs = o.idleMs ?? 10_000;
    const chunks: Buffer[] = [];
    let total = 0;
    let idleSince = Date.now();
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, o.maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (Date.now() - idleSince >= idleMs) throw new BoundedReadError(file, { kind: 'stalled', idleMs });
        Atomics.wait(sleeper, 0, 0, 20);
        continue;
      }
      if (n === 0) break;
      idleSince = Date.now();
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > o.maxBytes) throw new BoundedReadError(file, { kind: 'too-large', maxBytes: o.maxBytes });
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function nonFile(st: Stats): string | undefined {
  if (st.isFile() || st.isFIFO()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Text read with readBoundedSync (UTF-8). */
export function readTextBoundedSync(file: string, o: BoundedReadOptions): string {
  return readBoundedSync(file, o).toString('utf8');
}

/** A failed read in words, naming the file: for the diagnostics of every caller. */
export function readFailure(file: string, e: unknown): string {
  if (e instanceof BoundedReadError) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'does not exist',
    ENOTDIR: 'does not exist (a part of its path is not a directory)',
    EACCES: 'cannot be read (permission denied)',
    EPERM: 'cannot be read (operation not permitted)',
    EISDIR: 'is a directory, not a file',
    ELOOP: 'is a symbolic link loop',
    EMFILE: 'cannot be opened (too many open files)',
  };
  return `${file} ${(code && words[code]) ?? `could not be read (${code ?? (e as Error).message})`}`;
}

/** Plans and states hold every object of a mesh: generous, but a bound. */
export const MAX_PLAN_OR_STATE_BYTES = 256 * 1024 * 1024;
/** Kubeconfigs, and the certificate, key and token files they name. */
export const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;
