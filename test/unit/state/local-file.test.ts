// The local backend on a real temporary directory: atomic writes with a backup, serials, and
// the lock (holder, age and ID in the error; --lock-timeout; force-unlock by ID only).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, forceUnlock, lockFileOf, readStateFile, writeStateFile } from '../../../src/state/local-file.js';
import { emptyState } from '../../../src/state/state.js';
import { failure } from '../support/failure.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-state-'));
  file = path.join(dir, 'meshctl.state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const initial = () => emptyState({ lineage: 'lineage-1', meshID: 'mesh1', meshctlVersion: '0.1.0' });

/** A pid no process has: a child that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('writeStateFile', () => {
  it('increments the serial on every write and reads back what it wrote', async () => {
    const one = await writeStateFile(file, initial());
    const two = await writeStateFile(file, one);
    expect([one.serial, two.serial]).toEqual([1, 2]);
    expect(await readStateFile(file, 'mesh1')).toEqual(two);
  });

  it('keeps the previous version as .backup and leaves no temporary file', async () => {
    const one = await writeStateFile(file, initial());
    expect(readdirSync(dir).sort()).toEqual(['meshctl.state.json']);
    await writeStateFile(file, { ...one, units: [{ id: 'c1/namespace', cluster: 'c1', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} }] });
    expect(readdirSync(dir).sort()).toEqual(['meshctl.state.json', 'meshctl.state.json.backup']);
    const backup = JSON.parse(readFileSync(`${file}.backup`, 'utf8'));
    expect(backup.serial).toBe(1);
    expect(backup.units).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8')).serial).toBe(2);
  });

  it('refuses to write over a file another run wrote meanwhile, and leaves it as that run wrote it', async () => {
    const one = await writeStateFile(file, initial());
    const theirs = await writeStateFile(file, { ...one, units: [{ id: 'c1/theirs', cluster: 'c1', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} }] });
    const before = readFileSync(file, 'utf8');
    expect(await failure(writeStateFile(file, one))).toBe(
      `State changed by another run: ${file} now holds serial 2, but this run started from serial 1: another meshctl wrote it meanwhile (its lock was broken or taken over). Nothing was written. Run meshctl plan to see where the mesh stands now, then apply again.`,
    );
    expect(await failure(writeStateFile(file, initial()))).toMatch(/now holds serial 2, but this run started from no state/);
    expect(await failure(writeStateFile(file, { ...theirs, lineage: 'other' }))).toMatch(/now holds a state of another lineage \(lineage-1\)/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('stores a pushed state exactly, serial kept, only over the envelope it was told to expect', async () => {
    const pushed = { ...initial(), serial: 7 };
    expect((await writeStateFile(file, pushed, { base: null })).serial).toBe(7);
    expect(await failure(writeStateFile(file, { ...pushed, serial: 9 }, { base: null }))).toMatch(/now holds serial 7, but this run started from no state/);
    expect((await writeStateFile(file, { ...pushed, serial: 9 }, { base: { lineage: 'lineage-1', serial: 7 } })).serial).toBe(9);
  });

  it('writes the file readable by its owner only (it names clusters and digests)', async () => {
    await writeStateFile(file, initial());
    const { statSync } = await import('node:fs');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reads a missing file as no state, and an unusable one as an error', async () => {
    expect(await readStateFile(file, 'mesh1')).toBeNull();
    writeFileSync(file, '{');
    expect(await failure(readStateFile(file, 'mesh1'))).toMatch(/^Unusable state file: .* is not valid JSON/);
  });
});

describe('state lock', () => {
  const who = `${os.userInfo().username}@${os.hostname()}`;

  it('refuses a second holder, naming the holder, its age and the lock ID', async () => {
    const t0 = Date.parse('2025-03-01T10:00:00Z');
    const first = await acquireLock(file, { operation: 'apply', version: '0.1.0', timeoutMs: 0, now: () => t0 });
    const message = await failure(acquireLock(file, { operation: 'destroy', version: '0.1.0', timeoutMs: 0, now: () => t0 + 42_000 }));
    expect(message).toBe(
      `Error acquiring the state lock: The state file ${file} is locked by ${who} (pid ${process.pid}) for "apply", taken 42s ago (lock ID ${first.info.id}, meshctl 0.1.0). Wait for it to finish, retry with --lock-timeout, or if that run crashed: meshctl force-unlock ${first.info.id}`,
    );
    // The refused attempt did not touch the holder's lock.
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8')).id).toBe(first.info.id);
    await first.release();
  });

  it('waits up to --lock-timeout and takes the lock once the holder releases it', async () => {
    const first = await acquireLock(file, { operation: 'apply', version: '0.1.0', timeoutMs: 0 });
    let calls = 0;
    let released: Promise<void> | undefined;
    // now() is read for the lock's timestamp, the deadline, then after each failed attempt:
    // the holder lets go right after the first refusal, so the second attempt succeeds.
    const now = () => {
      calls++;
      if (calls === 3) released = first.release();
      return Date.now();
    };
    const second = await acquireLock(file, { operation: 'plan', version: '0.1.0', timeoutMs: 60_000, now });
    expect(calls).toBeGreaterThanOrEqual(3);
    await released;
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8'))).toMatchObject({ id: second.info.id, operation: 'plan' });
    await second.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock whose holder process is gone on this host, saying whose it was', async () => {
    const dead = { id: 'dead-lock', operation: 'apply', who: 'ci@runner', pid: deadPid(), host: os.hostname(), version: '0.1.0', created: new Date(Date.now() - 90_000).toISOString() };
    writeFileSync(lockFileOf(file), JSON.stringify(dead));
    const told: string[] = [];
    const lock = await acquireLock(file, { operation: 'apply', version: '0.1.0', timeoutMs: 0, onTakeover: (m) => told.push(m) });
    expect(told).toEqual([
      `Took over the state lock of ci@runner (pid ${dead.pid}) for "apply", taken 90s ago (lock ID dead-lock, meshctl 0.1.0): process ${dead.pid} no longer runs on ${os.hostname()}.`,
    ]);
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8')).id).toBe(lock.info.id);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not take over a lock held on another host (its pid cannot be checked from here)', async () => {
    writeFileSync(lockFileOf(file), JSON.stringify({ id: 'far', operation: 'apply', who: 'ci@elsewhere', pid: deadPid(), host: 'elsewhere', version: '0.1.0', created: new Date().toISOString() }));
    expect(await failure(acquireLock(file, { operation: 'apply', version: '0.1.0', timeoutMs: 0 }))).toMatch(/is locked by ci@elsewhere .* if that run crashed: meshctl force-unlock far$/);
  });

  it('force-unlock with the wrong ID refuses and changes nothing', async () => {
    const held = await acquireLock(file, { operation: 'apply', version: '0.1.0', timeoutMs: 0 });
    const before = readFileSync(lockFileOf(file), 'utf8');
    expect(await failure(forceUnlock(file, 'not-the-id'))).toBe(`Lock ID does not match: ${file} is locked with ID ${held.info.id} (by ${who}, "apply"), not not-the-id. Nothing was removed.`);
    expect(readFileSync(lockFileOf(file), 'utf8')).toBe(before);
    await forceUnlock(file, held.info.id);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('force-unlock without a lock says so', async () => {
    expect(await failure(forceUnlock(file, 'any'))).toBe(`No lock to remove: ${file} is not locked.`);
  });
});

describe('readStateFile', () => {
  // --state naming a device: a clear refusal, not gigabytes read.
  it('says why the state cannot be written, as a user error (a part of the path is a file)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-state-'));
    writeFileSync(path.join(dir, 'file'), '');
    const file = path.join(dir, 'file', 'meshctl.state.json');
    expect(await failure(writeStateFile(file, emptyState({ lineage: 'l', meshID: 'mesh1', meshctlVersion: '0.1.0' })))).toBe(
      `Cannot write state file: Writing ${file}: a part of ${path.join(dir, 'file')} is not a directory.`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a device as the state file', async () => {
    expect(await failure(readStateFile('/dev/zero', 'mesh1'))).toBe('Cannot read state file: /dev/zero is a character device, not a file.');
  });
});
