// `meshctl force-unlock ID` through main(): it removes the lock a crashed run left, and only
// when given that lock's ID. It looks for the state in the working directory.
import { existsSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStateBackend, lockFileOf } from '../../../src/state/local-file.js';
import { meshctl, singlePrimaryMesh, stateOnDisk, world, type World } from './cli-harness.js';

/** A lock as a run that crashed mid-apply leaves it. */
async function crashedRun(w: World): Promise<string> {
  const lock = await new LocalStateBackend(w.stateFile, 'mesh1').lock({ operation: 'apply', version: '0.1.0', timeoutMs: 0 });
  return lock.info.id;
}

describe('meshctl force-unlock', () => {
  it('removes a lock whose ID matches, after which apply runs again', async () => {
    const w = world();
    const id = await crashedRun(w);
    const blocked = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toContain('Error: Error acquiring the state lock');
    expect(blocked.err).toContain(`meshctl force-unlock ${id}`);
    const r = await meshctl(w, ['force-unlock', id]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`meshctl state has been unlocked (${w.stateFile}; the lock of ${os.userInfo().username}@${os.hostname()}, "apply", was removed).\n`);
    expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    expect(stateOnDisk(w)).not.toBeNull();
  });

  it('refuses a wrong ID and leaves the lock in place', async () => {
    const w = world();
    const id = await crashedRun(w);
    const r = await meshctl(w, ['force-unlock', 'not-the-id']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Lock ID does not match');
    expect(r.err).toContain(`locked with ID ${id}`);
    expect(r.err).toContain('Nothing was removed.');
    expect(existsSync(lockFileOf(w.stateFile))).toBe(true);
  });

  it('finds the state beside mesh.yaml (-f), from any working directory, as plan and apply do', async () => {
    const w = world();
    const id = await crashedRun(w);
    const r = await meshctl({ ...w, dir: os.tmpdir() }, ['force-unlock', '-f', join(w.dir, 'mesh.yaml'), id]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`meshctl state has been unlocked (${w.stateFile};`);
    expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
  });

  it('removes a lock file that names no holder (empty: a full disk) with the ID the lock error gives', async () => {
    const w = world();
    writeFileSync(lockFileOf(w.stateFile), '');
    const blocked = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toContain('but the lock is empty, so it names no holder');
    expect(blocked.err).toContain('meshctl force-unlock unreadable');
    const r = await meshctl(w, ['force-unlock', 'unreadable']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`meshctl state has been unlocked (${w.stateFile}; the lock file, which named no holder, was removed).\n`);
    expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
  });

  it('says so when there is no lock to remove', async () => {
    const w = world();
    const r = await meshctl(w, ['force-unlock', 'some-id']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: No lock to remove');
  });
});

describe('--state with a Kubernetes state backend', () => {
  it('is refused as a usage error before anything is read or locked', async () => {
    const w = world(singlePrimaryMesh.replace('clusters:', 'state:\n  kubernetes: { context: cluster1 }\nclusters:'));
    const r = await meshctl(w, ['plan', '--state', 'other.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Invalid option');
    expect(r.err).toContain('--state names a local state file, but');
    expect(r.err).toContain('keeps the state in Kubernetes (state.kubernetes, context "cluster1")');
    expect(w.cluster.requests).toBe(0);
  });
});
