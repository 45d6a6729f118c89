// A failed file write in words a user can act on: the disk full, a read-only file system, a
// missing directory. One home for them, used by the lock, the state and `plan --out`.
import { dirname } from 'node:path';

/** The errno code of an operating-system error, or undefined for anything else (a bug). */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why writing into the directory of `e.path` failed, for the errno `code`. */
export function writeFailureReason(code: string, e: Error & { path?: string }): string {
  const where = e.path ? dirname(e.path) : 'its directory';
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return `${where} is on a read-only file system`;
    case 'ENOENT':
      return `the directory ${where} does not exist`;
    case 'ENOTDIR':
      return `a part of ${where} is not a directory`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: this user may not create or remove files in ${where}`;
    default:
      return e.message;
  }
}

/** "<what>: <reason>" for an errno error; anything else is rethrown as it is (a bug). */
export function writeFailure(what: string, e: unknown): string {
  const code = errnoOf(e);
  if (!code) throw e;
  return `${what}: ${writeFailureReason(code, e as Error)}`;
}
