// Files a user names are read with a bound: a device is refused before any byte, a file or pipe
// past the limit stops at it, and a pipe that gives nothing fails instead of hanging. Before,
// `-f /dev/zero` grew to gigabytes of memory and a FIFO hung plan forever.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BoundedReadError, readBoundedSync, readFailure } from '../../../src/fs/read-bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'meshctl-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (file: string, o: { maxBytes: number; idleMs?: number }) => {
  try {
    readBoundedSync(file, o);
    return 'read';
  } catch (e) {
    return e instanceof BoundedReadError ? e.message : `other: ${String(e)}`;
  }
};

describe('readBoundedSync', () => {
  it('reads a file within the bound', () => {
    writeFileSync(join(dir, 'small'), 'hello');
    expect(readBoundedSync(join(dir, 'small'), { maxBytes: 5 }).toString()).toBe('hello');
  });

  it('refuses a file past the bound from its size, reading nothing', () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(6));
    expect(refusal(join(dir, 'big'), { maxBytes: 5 })).toBe(`${join(dir, 'big')} is larger than 5 bytes (6 bytes)`);
  });

  it('refuses devices and directories before reading', () => {
    expect(refusal('/dev/zero', { maxBytes: 1024 })).toBe('/dev/zero is a character device, not a file');
    expect(refusal('/dev/urandom', { maxBytes: 1024 })).toBe('/dev/urandom is a character device, not a file');
    expect(refusal(dir, { maxBytes: 1024 })).toBe(`${dir} is a directory, not a file`);
  });

  it('fails on a FIFO that nothing writes to, after the idle time, instead of hanging', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Held open for writing (r+ on Linux), silent: a writer that never writes.
    const writer = openSync(fifo, 'r+');
    try {
      const t0 = Date.now();
      expect(refusal(fifo, { maxBytes: 1024, idleMs: 300 })).toBe(`${fifo} gave no data for 0 s (a pipe or FIFO nothing writes to?)`);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      closeSync(writer);
    }
  });

  it('reads a pipe (state push /dev/stdin), and stops a pipe at the bound', () => {
    const module = resolve(import.meta.dirname, '../../../src/fs/read-bounded.ts');
    const script = `import(${JSON.stringify(module)}).then(m => { try { process.stdout.write(String(m.readBoundedSync('/dev/stdin', { maxBytes: 8 }).length)); } catch (e) { process.stdout.write(e.message); } })`;
    // A shell pipe, as a user's `… | meshctl state push /dev/stdin` (Node's own stdio is a socket).
    const run = (bytes: number) => execFileSync('sh', ['-c', `head -c ${bytes} /dev/zero | "$0" --import tsx -e "$1"`, process.execPath, script]).toString();
    expect(run(8)).toBe('8');
    expect(run(1024 * 1024)).toBe('/dev/stdin is larger than 8 bytes');
  });

  it('words the operating system’s failures with the file named', () => {
    const missing = join(dir, 'missing');
    let e: unknown;
    try {
      readBoundedSync(missing, { maxBytes: 1 });
    } catch (x) {
      e = x;
    }
    expect(readFailure(missing, e)).toBe(`${missing} does not exist`);
  });
});
