// The version a completed apply installed is kept in the state (istio.version), and the next
// plan holds mesh.yaml's version against it by Istio's in-place rules, before anything is read.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serializeState } from '../../../src/state/read.js';
import type { MeshState } from '../../../src/state/state.js';
import { meshctl, stateOnDisk, world, type World } from './cli-harness.js';

const stateOf = (w: World) => JSON.parse(readFileSync(w.stateFile, 'utf8')) as MeshState;
/** As if the mesh had been installed with another version. */
const installedAs = (w: World, version: string) => writeFileSync(w.stateFile, serializeState({ ...stateOf(w), istio: { version } }));

describe('the Istio version in the state', () => {
  it('a completed apply records it; destroy drops it', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    expect(stateOf(w).istio).toEqual({ version: '1.31.0' });
    expect((await meshctl(w, ['destroy', '--auto-approve'])).code).toBe(0);
    expect(stateOf(w).istio).toBeUndefined();
  });

  it('plan and apply refuse an in-place upgrade that skips a minor, changing nothing', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    installedAs(w, '1.29.4');
    const before = stateOnDisk(w);
    const requests = w.cluster.requests;
    for (const command of [['plan'], ['apply', '--verify=false', '--auto-approve']]) {
      const r = await meshctl(w, command);
      expect(r.code, r.out).toBe(1);
      expect(r.err).toContain('Error: Upgrade skips a minor version');
      expect(r.err).toContain('The mesh runs Istio 1.29.4 (the state records it) and mesh.yaml asks for 1.31.0');
      expect(r.err).not.toContain('internal error');
    }
    expect(stateOnDisk(w)).toEqual(before);
    expect(w.cluster.requests).toBe(requests);
  });

  it('one minor up plans; a downgrade plans with a warning', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    installedAs(w, '1.30.4');
    const up = await meshctl(w, ['plan']);
    expect(up.code, up.err).toBe(0);
    expect(up.err).not.toContain('Upgrade skips');
    installedAs(w, '1.31.3');
    const down = await meshctl(w, ['plan']);
    expect(down.code, down.err).toBe(0);
    expect(down.err).toContain('Warning: Istio downgrade');
  });
});
