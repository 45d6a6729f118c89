// Writing a file so that readers, and other meshctl processes writing it at the same time, see
// the old content or the new one, never a part: the data goes to a new temporary file beside it
// (same file system), which is then renamed over it.
import { promises as fs, constants as fsc, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** Permissions of the file written (the temporary file is always new); default 0o666 minus the umask. */
  readonly mode?: number;
  /** Flush the data, and after the rename the directory entry, so the new content survives a crash. */
  readonly fsync?: boolean;
}

/** Beside `file`, and unique per process and write: concurrent writers never share one. */
function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tempPath(file);
  try {
    const fh = await fs.open(tmp, 'wx', options.mode ?? 0o666);
    try {
      await fh.writeFile(data);
      if (options.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  if (options.fsync) {
    // The rename is durable only once the directory entry is flushed.
    const dh = await fs.open(path.dirname(file), fsc.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}

/** The same, synchronous and without fsync, for a synchronous caller (the discovery cache). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = tempPath(file);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
