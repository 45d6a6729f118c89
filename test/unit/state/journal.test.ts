// The apply journal: pending before, applied after, writes serialised, nothing lost, and
// "existed before meshctl" never forgotten across resumes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateJournal } from '../../../src/state/journal.js';
import { LocalStateBackend, readStateFile } from '../../../src/state/local-file.js';
import { emptyState } from '../../../src/state/state.js';
import { failure } from '../support/failure.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-journal-'));
  file = path.join(dir, 'meshctl.state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const initial = () => emptyState({ lineage: 'lineage-1', meshID: 'mesh1', meshctlVersion: '0.1.0' });
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name });
const record = (name: string, existedBefore = false) => ({ unit: 'c1/control-plane', cluster: 'c1', ref: ref(name), existedBefore });
const onDisk = () => JSON.parse(readFileSync(file, 'utf8'));

describe('StateJournal', () => {
  it('records pending before and applied after, one write each', async () => {
    const j = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    await j.objectPending('c1/ConfigMap/istio-system/a', record('a'));
    expect(onDisk().objects['c1/ConfigMap/istio-system/a']).toEqual({ ...record('a'), status: 'pending' });
    await j.objectApplied('c1/ConfigMap/istio-system/a', { applied: { kind: 'ConfigMap' }, uid: 'u1', resourceVersion: '7' });
    expect(onDisk().objects['c1/ConfigMap/istio-system/a']).toEqual({ ...record('a'), status: 'applied', applied: { kind: 'ConfigMap' }, uid: 'u1', resourceVersion: '7' });
    expect(onDisk().serial).toBe(2);
  });

  it('records the generation an apply answered with, and drops it when a later apply reports none', async () => {
    const j = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    const at = 'c1/ConfigMap/istio-system/g';
    await j.objectPending(at, record('g'));
    await j.objectApplied(at, { applied: { v: 1 }, uid: 'u1', resourceVersion: '7', generation: 3 });
    expect(onDisk().objects[at]).toMatchObject({ applied: { v: 1 }, generation: 3 });
    await j.objectPending(at, record('g'));
    await j.objectApplied(at, { applied: { v: 2 } });
    expect(onDisk().objects[at]).toEqual({ ...record('g'), status: 'applied', applied: { v: 2 } });
  });

  it('serialises concurrent writes and loses none of them', async () => {
    const j = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    const names = Array.from({ length: 20 }, (_, i) => `cm${i}`);
    await Promise.all(
      names.map(async (n) => {
        await j.objectPending(`c1/ConfigMap/istio-system/${n}`, record(n));
        await j.objectApplied(`c1/ConfigMap/istio-system/${n}`, { applied: { n } });
      }),
    );
    await j.unit({ id: 'c1/control-plane', cluster: 'c1', kind: 'control-plane', dependsOn: [], status: 'applied', outputs: { address: '1.2.3.4' } });
    await j.flush();
    const s = onDisk();
    expect(Object.keys(s.objects).sort()).toEqual(names.map((n) => `c1/ConfigMap/istio-system/${n}`).sort());
    expect(Object.values(s.objects).every((o: any) => o.status === 'applied')).toBe(true);
    // Group commit: the 20 pending records go in one write, the 20 applied records in the next,
    // the unit in a third — 3 writes for 41 changes.
    expect(s.serial).toBe(3);
    expect(j.state).toEqual(s);
    // Every write fsyncs the file and its directory; on a loaded machine that takes a while.
  }, 30_000);

  it('keeps existedBefore across a resume, whatever the next run believes', async () => {
    const first = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    await first.objectPending('c1/ConfigMap/istio-system/a', record('a', true));
    // The first run dies here. The next one finds the object live and would say meshctl made it.
    const resumed = new StateJournal(new LocalStateBackend(file, 'mesh1'), (await readStateFile(file, 'mesh1'))!);
    await resumed.objectPending('c1/ConfigMap/istio-system/a', record('a', false));
    await resumed.objectApplied('c1/ConfigMap/istio-system/a', { applied: {} });
    expect(onDisk().objects['c1/ConfigMap/istio-system/a'].existedBefore).toBe(true);
  });

  it('merges unit outputs and removes units and objects', async () => {
    const j = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    const u = { id: 'c1/eastwest-gateway', cluster: 'c1', kind: 'eastwest-gateway' as const, dependsOn: [], status: 'applying' as const, outputs: {} };
    await j.unit(u);
    await j.unit({ ...u, status: 'applied', outputs: { address: '172.18.0.9' } });
    expect(onDisk().units).toEqual([{ ...u, status: 'applied', outputs: { address: '172.18.0.9' } }]);
    await j.objectPending('c1/ConfigMap/istio-system/a', record('a'));
    await j.objectGone('c1/ConfigMap/istio-system/a');
    await j.unitGone(u.id);
    expect(onDisk()).toMatchObject({ units: [], objects: {} });
  });

  it('writes nothing, and keeps the serial, for changes that change nothing', async () => {
    const j = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    const u = { id: 'c1/eastwest-gateway', cluster: 'c1', kind: 'eastwest-gateway' as const, dependsOn: [], status: 'applied' as const, outputs: { address: '172.18.0.9' } };
    await j.unit(u);
    expect(onDisk().serial).toBe(1);
    // The same unit again, an object and a unit that are not recorded: a saved plan made
    // against serial 1 must stay valid.
    await j.unit({ ...u, outputs: {} });
    await j.objectGone('c1/ConfigMap/istio-system/never-recorded');
    await j.unitGone('c1/never-recorded');
    await j.flush();
    expect(onDisk().serial).toBe(1);
    expect(j.state.serial).toBe(1);
  });

  it('refuses applied without pending as a bug, and keeps journaling afterwards', async () => {
    const j = new StateJournal(new LocalStateBackend(file, 'mesh1'), initial());
    await expect(j.objectApplied('c1/ConfigMap/istio-system/x', { applied: {} })).rejects.toThrow('applied without a pending record: this is a bug in meshctl');
    await j.objectPending('c1/ConfigMap/istio-system/a', record('a'));
    expect(Object.keys(onDisk().objects)).toEqual(['c1/ConfigMap/istio-system/a']);
  });

  it('flush rethrows a failed write', async () => {
    const j = new StateJournal(new LocalStateBackend(path.join(dir, 'missing-dir', 'state.json'), 'mesh1'), initial());
    const write = j.objectPending('c1/ConfigMap/istio-system/a', record('a'));
    // A user's problem in words (the directory is gone), not the raw ENOENT.
    const words = `Cannot write state file: Writing ${path.join(dir, 'missing-dir', 'state.json')}: the directory ${path.join(dir, 'missing-dir')} does not exist.`;
    expect(await failure(write)).toBe(words);
    expect(await failure(j.flush())).toBe(words);
  });
});
