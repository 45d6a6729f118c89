// writeFileAtomic on a real temporary directory: whole contents only, the mode asked for, no
// temporary file left behind after success or failure, concurrent writers never mixed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../../src/fs/atomic-write.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-atomic-'));
  file = path.join(dir, 'out.json');
  return () => rmSync(dir, { recursive: true, force: true });
});

const entries = () => readdirSync(dir).sort();

describe('writeFileAtomic', () => {
  it('creates the file, then replaces it, leaving only the file', async () => {
    await writeFileAtomic(file, 'first');
    expect(readFileSync(file, 'utf8')).toBe('first');
    await writeFileAtomic(file, Buffer.from('second'));
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(entries()).toEqual(['out.json']);
  });

  it('writes with the mode asked for, also over a file that had another', async () => {
    writeFileSync(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'secret', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('with fsync, writes the same', async () => {
    await writeFileAtomic(file, 'durable', { fsync: true, mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('durable');
    expect(entries()).toEqual(['out.json']);
  });

  it('fails without a temporary file left and the target untouched when the rename fails', async () => {
    // A non-empty directory cannot be renamed over.
    mkdirSync(file);
    writeFileSync(path.join(file, 'keep'), 'kept');
    await expect(writeFileAtomic(file, 'new')).rejects.toThrow();
    expect(entries()).toEqual(['out.json']);
    expect(readFileSync(path.join(file, 'keep'), 'utf8')).toBe('kept');
  });

  it('fails when the directory does not exist', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'out.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(entries()).toEqual([]);
  });

  it('leaves one whole content of many concurrent writers', async () => {
    const contents = Array.from({ length: 20 }, (_, i) => `writer ${i} `.repeat(10_000));
    await Promise.all(contents.map((c) => writeFileAtomic(file, c)));
    expect(contents).toContain(readFileSync(file, 'utf8'));
    expect(entries()).toEqual(['out.json']);
  });
});

describe('writeFileAtomicSync', () => {
  it('creates and replaces the file, leaving only the file', () => {
    writeFileAtomicSync(file, 'first');
    writeFileAtomicSync(file, 'second');
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(entries()).toEqual(['out.json']);
  });

  it('fails without a temporary file left when the rename fails', () => {
    mkdirSync(file);
    writeFileSync(path.join(file, 'keep'), 'kept');
    expect(() => writeFileAtomicSync(file, 'new')).toThrow();
    expect(entries()).toEqual(['out.json']);
  });
});
