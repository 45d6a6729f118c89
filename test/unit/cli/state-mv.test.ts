// `meshctl state mv OLD NEW` through main(), and the plan that stops a rename made without it:
// a user renames cluster1 to east in mesh.yaml (same context), the plan says it is one cluster
// under two names, state mv re-addresses the records, and the next plan keeps every object.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockFileOf } from '../../../src/state/local-file.js';
import { serializeState } from '../../../src/state/read.js';
import type { MeshState } from '../../../src/state/state.js';
import { expectGoldenFile } from '../support/golden.js';
import { liveAddresses, meshctl, singlePrimaryMesh, stateOnDisk, world, type Result, type World } from './cli-harness.js';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const LINEAGE = '3c7d2a10-5b8e-4f61-9a2c-7e4b1d6f8a93';
const renamedMesh = singlePrimaryMesh.replace('cluster1: { context: cluster1', 'east: { context: cluster1');

/** A world that applied the one-cluster mesh as cluster1, then had it renamed in mesh.yaml (or not). */
async function applied(o: { rename: boolean }): Promise<World> {
  const w = world();
  const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
  expect(r.code, r.err).toBe(0);
  // A fixed lineage and serial, so goldens are stable.
  writeFileSync(w.stateFile, serializeState({ ...stateOf(w), lineage: LINEAGE, serial: 7 }));
  if (o.rename) writeFileSync(join(w.dir, 'mesh.yaml'), renamedMesh);
  return w;
}

const stateOf = (w: World) => JSON.parse(readFileSync(w.stateFile, 'utf8')) as MeshState;
const backups = (w: World) => readdirSync(w.dir).filter((f) => f.endsWith('.backup.json'));
const portable = (w: World, text: string) => text.split(w.dir).join('<dir>');

function expectRefused(w: World, r: Result, before: ReturnType<typeof stateOnDisk>, summary: string): void {
  expect(r.code, r.out).toBe(1);
  expect(r.err).toContain(`Error: ${summary}`);
  expect(r.err).not.toContain('internal error');
  expect(stateOnDisk(w)).toEqual(before);
  expect(backups(w)).toEqual([]);
  expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
}

let reference: { objects: number; units: number };
beforeAll(async () => {
  const s = stateOf(await applied({ rename: false }));
  reference = { objects: Object.keys(s.objects).length, units: s.units.length };
});

describe('a cluster renamed in mesh.yaml without state mv', () => {
  it('plan and apply refuse, naming both names, the shared context and state mv; nothing is read into the plan or changed', async () => {
    const w = await applied({ rename: true });
    const before = stateOnDisk(w);
    const live = liveAddresses(w);
    for (const command of [['plan'], ['apply', '--auto-approve', '--verify=false']]) {
      const r = await meshctl(w, command);
      expect(r.code, r.out).toBe(1);
      expect(r.err).toContain('Error: Cluster renamed');
      expect(r.err).toContain(`The state records cluster cluster1, and ${join(w.dir, 'mesh.yaml')} names east instead, with the same context (cluster1): one cluster under two names.`);
      expect(r.err).toContain('meshctl state mv cluster1 east');
      expect(r.err).not.toContain('internal error');
      expect(stateOnDisk(w)).toEqual(before);
      expect(liveAddresses(w)).toEqual(live);
    }
  });

  it('destroy is not refused: it removes what the state records, through the recorded context', async () => {
    const w = await applied({ rename: true });
    const r = await meshctl(w, ['destroy', '--auto-approve']);
    expect(r.code, r.err).toBe(0);
    expect(stateOf(w).objects).toEqual({});
    expect(liveAddresses(w).filter((a) => a.includes('istio-system'))).toEqual([]);
  });
});

describe('meshctl state mv', () => {
  it('re-addresses every record of the cluster in one write, keeps a backup, and touches no cluster', async () => {
    const w = await applied({ rename: true });
    const before = readFileSync(w.stateFile, 'utf8');
    const old = stateOf(w);
    // apply recorded how it reached the cluster; state mv carries that record to the new name.
    expect(old.clusters).toEqual({ cluster1: { context: 'cluster1' } });
    const requests = w.cluster.requests;
    const r = await meshctl(w, ['state', 'mv', 'cluster1', 'east']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expectGoldenFile(goldenDir, 'state-mv.txt', portable(w, r.out));
    expect(w.cluster.requests).toBe(requests);
    const s = stateOf(w);
    expect(s.serial).toBe(old.serial + 1);
    expect(s.lineage).toBe(old.lineage);
    expect(Object.keys(s.objects)).toEqual(Object.keys(old.objects).map((a) => a.replace(/^cluster1\//, 'east/')));
    expect(Object.values(s.objects).every((o) => o.cluster === 'east' && o.unit.startsWith('east/'))).toBe(true);
    expect(s.units.map((u) => u.id)).toEqual(old.units.map((u) => u.id.replace(/^cluster1\//, 'east/')));
    expect(s.units.flatMap((u) => u.dependsOn).every((d) => d.startsWith('east/'))).toBe(true);
    expect(s.clusters).toEqual({ east: { context: 'cluster1' } });
    expect(backups(w)).toEqual(['meshctl.state.20260102T030405Z.backup.json']);
    expect(readFileSync(join(w.dir, backups(w)[0]!), 'utf8')).toBe(before);
    expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
  });

  it('the next plan keeps every object: nothing to add or destroy; after apply, the plan is empty', async () => {
    const w = await applied({ rename: true });
    expect((await meshctl(w, ['state', 'mv', 'cluster1', 'east'])).code).toBe(0);
    const plan = await meshctl(w, ['plan', '--json']);
    expect(plan.code, plan.err).toBe(0);
    const summary = (JSON.parse(plan.out) as { summary: Record<string, number> }).summary;
    expect(summary).toMatchObject({ add: 0, destroy: 0 });
    const apply = await meshctl(w, ['apply', '--auto-approve', '--verify=false']);
    expect(apply.code, apply.err).toBe(0);
    const again = await meshctl(w, ['plan', '--detailed-exitcode']);
    expect(again.code, again.out).toBe(0);
    const s = stateOf(w);
    expect([Object.keys(s.objects).length, s.units.length]).toEqual([reference.objects, reference.units]);
  });

  it('--dry-run shows the move and changes nothing', async () => {
    const w = await applied({ rename: true });
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'mv', '--dry-run', 'cluster1', 'east']);
    expect(r.code, r.err).toBe(0);
    expectGoldenFile(goldenDir, 'state-mv-dry-run.txt', portable(w, r.out));
    expect(stateOnDisk(w)).toEqual(before);
    expect(backups(w)).toEqual([]);
  });

  it('warns when mesh.yaml reaches the new name through another context than the state recorded', async () => {
    const w = await applied({ rename: false });
    writeFileSync(join(w.dir, 'mesh.yaml'), singlePrimaryMesh.replace('cluster1: { context: cluster1', 'east: { context: east-admin'));
    const r = await meshctl(w, ['state', 'mv', 'cluster1', 'east']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Mind the contexts: the state reached cluster1 through context cluster1, and mesh.yaml reaches east through context east-admin.');
    expect(stateOf(w).clusters).toEqual({ east: { context: 'cluster1' } });
  });
});

describe('meshctl state mv refuses, changing nothing', () => {
  const cases: ReadonlyArray<readonly [string, { rename: boolean; edit?: (s: MeshState) => MeshState }, readonly string[], string, string]> = [
    ['an unknown cluster, naming those the state holds', { rename: true }, ['cluster9', 'east'], 'Not in the state', 'holds no record of a cluster cluster9. Clusters it holds: cluster1.'],
    [
      'a new name mesh.yaml does not give',
      { rename: false },
      ['cluster1', 'east'],
      'Not in mesh.yaml',
      'mesh.yaml names no cluster east (it names cluster1). Rename cluster1 to east in mesh.yaml first',
    ],
    ['an old name mesh.yaml still gives', { rename: true, edit: undefined }, ['cluster1', 'cluster1'], 'Invalid arguments', 'names the same cluster twice'],
    [
      'a new name the state already holds records of',
      { rename: true, edit: (s) => ({ ...s, units: [...s.units, { id: 'east/namespace', cluster: 'east', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} }] }) },
      ['cluster1', 'east'],
      'Cluster already in the state',
      'already holds 1 unit and 0 objects of a cluster east: moving cluster1 there would merge',
    ],
    ['an address instead of a cluster', { rename: true }, ['cluster1/namespace', 'east/namespace'], 'Invalid arguments', 'cluster1/namespace is an address'],
    ['one name', { rename: true }, ['cluster1'], 'Invalid arguments', 'meshctl state mv takes two cluster names'],
  ];

  it.each(cases)('%s', async (_, o, args, summary, detail) => {
    const w = await applied({ rename: o.rename });
    if (o.edit) writeFileSync(w.stateFile, serializeState(o.edit(stateOf(w))));
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'mv', ...args]);
    expectRefused(w, r, before, summary);
    expect(r.err).toContain(detail);
    expect(r.out).toBe('');
  });

  it('an old name mesh.yaml still gives beside the new one', async () => {
    const w = await applied({ rename: false });
    writeFileSync(join(w.dir, 'mesh.yaml'), `${singlePrimaryMesh}  east: { context: east, role: primary, network: network1 }\n`);
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'mv', 'cluster1', 'east']);
    expectRefused(w, r, before, 'Cluster still in mesh.yaml');
    expect(r.err).toContain('mesh.yaml still names cluster1: after the move, the next plan would install it again beside east.');
  });
});
