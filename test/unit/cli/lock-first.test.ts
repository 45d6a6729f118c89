// Lock first, then read (issue 14): an apply that waited with --lock-timeout for another run
// plans from what that run wrote. Reading before the lock, it planned from the old state and
// its journal overwrote the winner's records (an object the winner recorded as "existed before
// meshctl" became meshctl's, so a later destroy would delete it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalStateBackend } from '../../../src/state/local-file.js';
import type { MeshState } from '../../../src/state/state.js';
import { meshctl, world } from './cli-harness.js';

describe('apply --lock-timeout', () => {
  it('waits for the holder, then reads the state it wrote and keeps its records', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const state = (): MeshState => JSON.parse(readFileSync(w.stateFile, 'utf8')) as MeshState;
    const [kept, drifted] = Object.keys(state().objects).sort();
    // Drift, so the waiting apply has something to write.
    w.cluster.objects.delete([...w.cluster.objects.keys()].find((k) => drifted!.endsWith(k.split('/').slice(-1)[0]!))!);

    const other = new LocalStateBackend(w.stateFile, 'mesh1');
    const held = await other.lock({ operation: 'apply', version: '0.1.0', timeoutMs: 0 });
    const waiting = meshctl(w, ['apply', '--verify=false', '--auto-approve', '--lock-timeout', '20s']);
    await new Promise((r) => setTimeout(r, 400));
    // The holder records something while the second apply waits, then lets go.
    const theirs = state();
    const written = await other.write({ ...theirs, objects: { ...theirs.objects, [kept!]: { ...theirs.objects[kept!]!, existedBefore: true } } });
    await held.release();

    const r = await waiting;
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Waiting up to 20s for the state lock held by ${held.info.who} (pid ${process.pid}, "apply")`);
    const after = state();
    expect(after.serial).toBeGreaterThan(written.serial);
    expect(after.objects[kept!]!.existedBefore).toBe(true);
    expect(after.objects[drifted!]!.status).toBe('applied');
  });
});
