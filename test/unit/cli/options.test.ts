// Flag values that make no sense are refused through the real entry point, before anything is
// read, locked or sent: exit 1, a message naming the flag and the value, never "internal error".
// Every run here would otherwise apply (--auto-approve, a reachable cluster), so "nothing
// written" is a real check.
import { describe, expect, it } from 'vitest';
import { liveAddresses, meshctl, stateOnDisk, world } from './cli-harness.js';

const refusals: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ['--parallelism 0', ['--parallelism', '0'], '--parallelism "0" is not a whole number of at least 1.'],
  ['a negative --parallelism', ['--parallelism=-2'], '--parallelism "-2" is not a whole number of at least 1.'],
  ['a fractional --parallelism', ['--parallelism', '1.5'], '--parallelism "1.5" is not a whole number of at least 1.'],
  ['--parallelism abc (once NaN: no limit at all)', ['--parallelism', 'abc'], '--parallelism "abc" is not a whole number of at least 1.'],
  ['a malformed --wait-timeout', ['--wait-timeout', '5x'], '--wait-timeout "5x" is not a duration: give a duration like 30s, 2m or 1h'],
  ['a negative --wait-timeout', ['--wait-timeout=-5s'], '--wait-timeout "-5s" cannot be negative'],
  ['a --wait-timeout of nothing', ['--wait-timeout', '0s'], '--wait-timeout "0s" would give up before anything could become ready'],
  ['a malformed --lock-timeout', ['--lock-timeout', 'two minutes'], '--lock-timeout "two minutes" is not a duration'],
  ['a negative --lock-timeout', ['--lock-timeout=-1m'], '--lock-timeout "-1m" cannot be negative'],
  [
    '--istioctl with --istioctl-dir',
    ['--istioctl', '/opt/istioctl', '--istioctl-dir', '/opt/istio'],
    '--istioctl names one istioctl binary and --istioctl-dir a directory of them, one per version: give one of the two.',
  ],
];

describe('meshctl apply and destroy refuse option values that make no sense', () => {
  it.each(refusals)('%s', async (_name, flags, message) => {
    const w = world();
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve', ...flags]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Invalid option');
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('internal error');
    expect(r.out).toBe('');
    expect(stateOnDisk(w)).toBeNull();
    expect(w.cluster.requests).toBe(0);
  });

  it('destroy refuses them the same way and leaves the mesh up', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const before = stateOnDisk(w);
    const live = liveAddresses(w);
    const r = await meshctl(w, ['destroy', '--auto-approve', '--parallelism', 'abc']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--parallelism "abc" is not a whole number of at least 1.');
    expect(stateOnDisk(w)).toEqual(before);
    expect(liveAddresses(w)).toEqual(live);
  });

  it('accepts the forms the help names: whole numbers, and durations in ms, s, m, h or plain seconds', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve', '--parallelism', '1', '--wait-timeout', '90', '--lock-timeout', '1.5s']);
    expect(r.code, r.err).toBe(0);
    expect(stateOnDisk(w)).not.toBeNull();
  });

  it('a flag given without its value is a usage error', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve', '--parallelism']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('parallelism');
    expect(r.err).toContain("Run 'meshctl --help' for usage.");
    expect(stateOnDisk(w)).toBeNull();
  });
});

describe('meshctl plan refuses flags that contradict each other', () => {
  it('--destroy with --refresh-only', async () => {
    const w = world();
    const r = await meshctl(w, ['plan', '--destroy', '--refresh-only']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Invalid option');
    expect(r.err).toContain('--destroy and --refresh-only cannot be combined');
    expect(w.cluster.requests).toBe(0);
  });
});
