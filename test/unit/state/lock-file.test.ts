// The local lock file under hostile conditions, on a real temporary directory: a run releases
// only its own lock (not the next holder's after a force-unlock), a lock that cannot be created
// says why and leaves nothing behind, and a lock file naming no holder is reported and removable.
// local-file.test.ts has the ordinary cases (holder in the error, waiting, takeover).
import { existsSync, mkdtempSync, promises as fsp, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireLock, forceUnlock, lockFileOf } from '../../../src/state/lock-file.js';
import { failure } from '../support/failure.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-lock-'));
  file = path.join(dir, 'meshctl.state.json');
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const req = { operation: 'apply', version: '0.1.0', timeoutMs: 0 };

function errno(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${file}'`), { code, syscall, path: file });
}

describe('releasing the lock', () => {
  it('removes this run’s own lock and leaves nothing behind', async () => {
    const lost: string[] = [];
    const lock = await acquireLock(file, { ...req, onLost: (m) => lost.push(m) });
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8')).id).toBe(lock.info.id);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
    expect(lost).toEqual([]);
  });

  it('after a force-unlock and another run taking the lock, leaves that run’s lock and says so', async () => {
    const lost: string[] = [];
    const first = await acquireLock(file, { ...req, onLost: (m) => lost.push(m) });
    await forceUnlock(file, first.info.id);
    const second = await acquireLock(file, { ...req, operation: 'destroy' });
    await first.release();
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8'))).toMatchObject({ id: second.info.id, operation: 'destroy' });
    expect(lost).toEqual([`The state lock ${lockFileOf(file)} was no longer this run's (force-unlocked?); left the current holder's lock, if any, in place.`]);
    expect(readdirSync(dir)).toEqual(['meshctl.state.json.lock']);
    await second.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after a force-unlock with no new holder, says so and fails nothing', async () => {
    const lost: string[] = [];
    const lock = await acquireLock(file, { ...req, onLost: (m) => lost.push(m) });
    await forceUnlock(file, lock.info.id);
    await lock.release();
    expect(lost).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('taking the lock', () => {
  it('lets exactly one of several runs at once have it', async () => {
    const runs = await Promise.allSettled(Array.from({ length: 6 }, () => acquireLock(file, req)));
    const won = runs.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8')).id).toBe(won[0]!.value.info.id);
    await won[0]!.value.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('in a directory that does not exist, says so', async () => {
    const missing = path.join(dir, 'missing', 'meshctl.state.json');
    expect(await failure(acquireLock(missing, req))).toBe(
      `Error acquiring the state lock: Cannot create the lock file ${missing}.lock for the state file ${missing}: the directory ${path.join(dir, 'missing')} does not exist.`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('under a path that is a file, says so (as root too, unlike a chmod)', async () => {
    writeFileSync(path.join(dir, 'plain'), 'not a directory');
    const under = path.join(dir, 'plain', 'meshctl.state.json');
    expect(await failure(acquireLock(under, req))).toMatch(/^Error acquiring the state lock: Cannot create the lock file .*: a part of .*plain is not a directory\.$/);
    expect(readdirSync(dir)).toEqual(['plain']);
  });

  it('on a full disk, says so and leaves no lock (not even an empty one) behind', async () => {
    // The write creates the file, then runs out of space, as a full disk does.
    const real = fsp.writeFile.bind(fsp);
    vi.spyOn(fsp, 'writeFile').mockImplementation(async (f, _data, opts) => {
      await real(f, '', opts);
      throw errno('ENOSPC', 'write', String(f));
    });
    expect(await failure(acquireLock(file, req))).toBe(`Error acquiring the state lock: Cannot create the lock file ${file}.lock for the state file ${file}: the disk is full.`);
    expect(readdirSync(dir)).toEqual([]);
    vi.restoreAllMocks();
    await (await acquireLock(file, req)).release();
  });

  it.each([
    ['EROFS', 'is on a read-only file system'],
    ['EACCES', 'permission denied: this user may not create or remove files in'],
  ])('when the directory refuses files (%s), says so', async (code, words) => {
    vi.spyOn(fsp, 'writeFile').mockImplementation((f) => Promise.reject(errno(code, 'open', String(f))));
    expect(await failure(acquireLock(file, req))).toContain(`Cannot create the lock file ${file}.lock for the state file ${file}: `);
    expect(await failure(acquireLock(file, req))).toContain(words.startsWith('is') ? `${dir} ${words}.` : `${words} ${dir}.`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('on a file system without hard links, creates it under its own name', async () => {
    vi.spyOn(fsp, 'link').mockImplementation((_from, to) => Promise.reject(errno('EPERM', 'link', String(to))));
    const lock = await acquireLock(file, req);
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8')).id).toBe(lock.info.id);
    expect(await failure(acquireLock(file, req))).toMatch(/^Error acquiring the state lock: The state file .* is locked by /);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a lock file that names no holder', () => {
  it.each([
    ['empty', ''],
    ['not a meshctl lock (no JSON naming a lock ID)', '{"id":'],
  ])('(%s) is reported with the force-unlock that removes it, which does', async (what, text) => {
    writeFileSync(lockFileOf(file), text);
    expect(await failure(acquireLock(file, req))).toBe(
      `Error acquiring the state lock: The state file ${file} is locked (${file}.lock), but the lock is ${what}, so it names no holder (a run that could not finish writing it?). If no run is using the state: meshctl force-unlock unreadable`,
    );
    expect(await failure(forceUnlock(file, 'some-id'))).toBe(
      `Lock ID does not match: ${file} is locked by a lock file that is ${what} (${file}.lock), not some-id. To remove it: meshctl force-unlock unreadable. Nothing was removed.`,
    );
    expect(existsSync(lockFileOf(file))).toBe(true);
    expect(await forceUnlock(file, 'unreadable')).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    await (await acquireLock(file, req)).release();
  });

  it('a real lock is not removed with the unreadable pseudo-ID', async () => {
    const held = await acquireLock(file, req);
    expect(await failure(forceUnlock(file, 'unreadable'))).toMatch(/^Lock ID does not match: .* locked with ID /);
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8')).id).toBe(held.info.id);
    await held.release();
  });
});
