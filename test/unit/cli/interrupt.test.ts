// Ctrl-C (or a CI runner's SIGTERM) during apply: no new step starts, what was sent is saved,
// the lock is released, the exit code is 130 and the message says how to resume; the next
// apply finishes the rest. Before, the process died with the lock left behind.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/object.js';
import { lockFileOf } from '../../../src/state/local-file.js';
import { liveAddresses, meshctl, stateOnDisk, world } from './cli-harness.js';

describe('an interrupted apply', () => {
  it('stops after the requests in flight, saves them, releases the lock, exits 130; the next apply resumes', async () => {
    const w = world();
    let interrupt: (() => void) | undefined;
    let sent = 0; // requests made
    const apply = w.cluster.apply.bind(w.cluster);
    // The user presses Ctrl-C while the first object is being sent.
    w.cluster.apply = async (obj: KubeObject) => {
      if (sent++ === 0) interrupt?.();
      return apply(obj);
    };
    const ports = {
      ...w.ports,
      onInterrupt: (h: () => void) => {
        interrupt = h;
        return () => (interrupt = undefined);
      },
    };
    const r = await meshctl({ ...w, ports }, ['apply', '--auto-approve', '--verify=false', '--no-color']);
    expect(r.code, r.err).toBe(130);
    const said = r.out + r.err;
    expect(said).toContain('Interrupt received: no new step starts');
    expect(said).toMatch(
      /Apply interrupted: \d+ unit\(s\) not finished \(.*cluster1\/control-plane.*\)\. What was sent is saved in .*meshctl\.state\.json and the lock is released; run apply again to resume\./,
    );
    expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
    // The batches in flight (the namespace's, the CRDs', running in parallel) were sent and
    // recorded; the control plane, which waits on them, was not started.
    expect(liveAddresses(w).filter((a) => a.includes('Deployment'))).toEqual([]);
    expect(liveAddresses(w).length).toBeGreaterThan(0);
    expect(stateOnDisk(w)!.objects).toEqual(liveAddresses(w));
    expect(interrupt).toBeUndefined();

    const again = await meshctl(w, ['apply', '--auto-approve', '--verify=false', '--no-color']);
    expect(again.code, again.err).toBe(0);
    expect((await meshctl(w, ['plan', '--detailed-exitcode', '--no-color'])).code).toBe(0);
  });
});
