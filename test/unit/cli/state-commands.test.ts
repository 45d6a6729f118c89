// `meshctl state list | show | rm | pull | push` through main(), as Terraform users know them:
// what a user sees, what the state holds afterwards, and that no cluster is ever reached.
// Most cases start from the state a real apply of the one-cluster mesh wrote (applied once,
// copied into fresh directories, lineage and serial fixed so goldens are stable); `richState` adds what
// an apply of this mesh does not make: a Secret (digests only), an object that existed before
// meshctl, a pending object and objects whose unit has no record.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { serializeState } from '../../../src/state/read.js';
import type { MeshState, ObjectRecord } from '../../../src/state/state.js';
import { KubernetesStateBackend } from '../../../src/state/kubernetes.js';
import { LocalStateBackend, lockFileOf } from '../../../src/state/local-file.js';
import type { Ports } from '../../../src/cli/ports.js';
import { FakeStateApi } from '../support/fake-state-api.js';
import { expectGoldenFile } from '../support/golden.js';
import { liveAddresses, meshctl, singlePrimaryMesh, stateOnDisk, world, type Result, type World } from './cli-harness.js';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const LINEAGE = '0b5e1c9a-7d2f-4e61-9c3b-5a8f2d4e6b10';
const istiod = 'cluster1/Deployment.apps/istio-system/istiod';
const namespace = 'cluster1/Namespace/_/istio-system';

let applied: MeshState;

beforeAll(async () => {
  const w = world();
  const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
  expect(r.code, r.err).toBe(0);
  applied = { ...(JSON.parse(readFileSync(w.stateFile, 'utf8')) as MeshState), lineage: LINEAGE, serial: 7 };
});

/** A fresh directory with mesh.yaml and `state` as meshctl.state.json (none: no state). */
function withState(state: MeshState | null = applied): World {
  const w = world();
  if (state) writeFileSync(w.stateFile, serializeState(state));
  return w;
}

const secret: ObjectRecord = {
  unit: 'cluster1/cacerts',
  cluster: 'cluster1',
  ref: { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' },
  status: 'applied',
  existedBefore: false,
  applied: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cacerts', namespace: 'istio-system' },
    data: {
      'ca-key.pem': { $sensitive: 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' },
      'root-cert.pem': { $sensitive: 'sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9', display: 'certificate SHA256:aa:bb:cc:dd' },
    },
  },
  uid: 'uid-cluster1-9',
  resourceVersion: '120',
};

/** The applied state plus a Secret, an object that existed before, a pending one and a unit with no record. */
function richState(): MeshState {
  const objects: Record<string, ObjectRecord> = {};
  for (const [a, r] of Object.entries(applied.objects)) {
    if (a === namespace) objects[a] = { ...r, existedBefore: true };
    else if (a === istiod) objects[a] = { unit: r.unit, cluster: r.cluster, ref: r.ref, status: 'pending', existedBefore: false };
    else objects[a] = r;
  }
  objects['cluster1/Secret/istio-system/cacerts'] = secret;
  objects['cluster1/ConfigMap/istio-system/istio-leftover'] = {
    unit: 'cluster1/old-unit',
    cluster: 'cluster1',
    ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio-leftover' },
    status: 'applied',
    existedBefore: false,
    applied: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-leftover', namespace: 'istio-system' } },
  };
  const cacertsUnit = { id: 'cluster1/cacerts', cluster: 'cluster1', kind: 'cacerts' as const, dependsOn: ['cluster1/namespace'], status: 'applied' as const, outputs: {} };
  return { ...applied, units: [applied.units[0]!, cacertsUnit, ...applied.units.slice(1)], objects };
}

/** Output with the world's directory as <dir>, for goldens. */
function portable(w: World, text: string): string {
  return text.split(w.dir).join('<dir>');
}

/** What must hold after a refusal: exit 1, a clear error, no internal error, the state untouched. */
function expectRefused(w: World, r: Result, before: ReturnType<typeof stateOnDisk>, summary: string): void {
  expect(r.code, r.out).toBe(1);
  expect(r.err).toContain(`Error: ${summary}`);
  expect(r.err).not.toContain('internal error');
  expect(stateOnDisk(w)).toEqual(before);
  expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
}

function backups(w: World): string[] {
  return readdirSync(w.dir).filter((f) => f.endsWith('.backup.json'));
}

describe('meshctl state list', () => {
  it('prints units in state order with their objects, marking what existed before meshctl and what is pending', async () => {
    const w = withState(richState());
    const r = await meshctl(w, ['state', 'list']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expectGoldenFile(goldenDir, 'state-list.txt', portable(w, r.out));
  });

  it('--json: units and objects as flat lists for scripts', async () => {
    const w = withState(richState());
    const r = await meshctl(w, ['state', 'list', '--json']);
    expect(r.code, r.err).toBe(0);
    expectGoldenFile(goldenDir, 'state-list.json', r.out);
    const doc = JSON.parse(r.out) as { objects: { address: string; existedBefore: boolean }[]; units: { id: string; recorded: boolean }[] };
    expect(doc.objects.map((o) => o.address).sort()).toEqual(Object.keys(richState().objects).sort());
    expect(doc.objects.filter((o) => o.existedBefore).map((o) => o.address)).toEqual([namespace]);
    expect(doc.units.filter((u) => !u.recorded).map((u) => u.id)).toEqual(['cluster1/old-unit']);
  });

  it('ADDRESS-PREFIX selects a unit whole, or objects by whole leading segments', async () => {
    const w = withState();
    const unit = await meshctl(w, ['state', 'list', 'cluster1/control-plane']);
    expect(unit.code, unit.err).toBe(0);
    expect(unit.out).toContain('unit cluster1/control-plane (control-plane): applied');
    expect(unit.out).toContain(istiod);
    expect(unit.out).not.toContain('unit cluster1/crds');
    expect(unit.out).toContain('\n1 unit, 3 objects.\n');

    const crds = await meshctl(w, ['state', 'list', 'cluster1/CustomResourceDefinition.apiextensions.k8s.io/', namespace]);
    expect(crds.code, crds.err).toBe(0);
    expect(crds.out).toContain('unit cluster1/crds (crds): applied');
    expect(crds.out).toContain('unit cluster1/namespace (namespace): applied');
    expect(crds.out).not.toContain('control-plane');
    expect(crds.out).toContain('\n2 units, 3 objects.\n');
  });

  it('refuses a prefix that selects nothing, naming close ones (whole segments: "cluster" is not cluster1)', async () => {
    const w = withState();
    const r = await meshctl(w, ['state', 'list', 'cluster1/Deployment']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('Error: Not in the state');
    expect(r.err).toContain(`cluster1/Deployment selects no unit or object in ${w.stateFile}.\nClose matches:\n  cluster1/Deployment.apps\n`);
    const partial = await meshctl(w, ['state', 'list', 'cluster']);
    expect(partial.code).toBe(1);
    expect(partial.err).toContain('Close matches:\n  cluster1\n');
  });

  it('with no state yet is a clear error, and creates nothing', async () => {
    const w = withState(null);
    for (const sub of [['list'], ['show', istiod], ['rm', istiod], ['pull']]) {
      const r = await meshctl(w, ['state', ...sub]);
      expect(r.code, sub.join(' ')).toBe(1);
      expect(r.err).toContain('Error: No state');
      expect(r.err).toContain(`${w.stateFile} holds no state: meshctl has not applied this mesh yet`);
      expect(r.out).toBe('');
      expect(readdirSync(w.dir)).toEqual(['mesh.yaml']);
    }
  });

  it('never connects to a cluster of the mesh (works without their kubeconfig contexts)', async () => {
    const w = withState();
    const ports = {
      ...w.ports,
      connect: () => {
        throw new Error('connected to a cluster');
      },
    };
    for (const sub of [['list'], ['show', istiod], ['rm', istiod], ['pull']]) {
      const r = await meshctl({ dir: w.dir, ports }, ['state', ...sub]);
      expect(r.code, r.err).toBe(0);
    }
    expect(w.cluster.requests).toBe(0);
  });
});

describe('meshctl state show', () => {
  it("prints an object's record and what meshctl applied as YAML; Secret values only as the digests the state holds", async () => {
    const w = withState(richState());
    const r = await meshctl(w, ['state', 'show', 'cluster1/Secret/istio-system/cacerts']);
    expect(r.code, r.err).toBe(0);
    expectGoldenFile(goldenDir, 'state-show-secret.txt', r.out);
    expect(r.out).toContain('Secret values are not in the state');
    expect(r.out).toContain('ca-key.pem: (sensitive value) sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\n');
    expect(r.out).not.toContain('$sensitive');
  });

  it('prints a pending object, which has nothing applied yet, and one that existed before meshctl', async () => {
    const w = withState(richState());
    const pending = await meshctl(w, ['state', 'show', istiod]);
    expect(pending.code, pending.err).toBe(0);
    expect(pending.out).toMatch(/\n {2}status +pending \(an apply sent it, or was about to, and recorded no answer; the next plan checks the cluster\)\n/);
    expect(pending.out).toContain('Applied: nothing recorded yet.');
    const before = await meshctl(w, ['state', 'show', namespace]);
    expect(before.out).toMatch(/\n {2}existed before +yes: it was there before meshctl \(destroy gives back meshctl's fields and leaves it\)\n/);
    expect(before.out).toContain('kind: Namespace\nmetadata:\n  name: istio-system\n');
  });

  it("prints a unit's record and its objects", async () => {
    const w = withState(richState());
    const r = await meshctl(w, ['state', 'show', 'cluster1/control-plane']);
    expect(r.code, r.err).toBe(0);
    expectGoldenFile(goldenDir, 'state-show-unit.txt', r.out);
  });

  it('refuses an unknown address, listing close matches', async () => {
    const w = withState();
    const r = await meshctl(w, ['state', 'show', 'cluster1/Deployment/istio-system/istiod']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expectGoldenFile(goldenDir, 'state-show-unknown.txt', portable(w, r.err));
    const byName = await meshctl(w, ['state', 'show', 'istiod']);
    expect(byName.err).toContain(`Close matches:\n  cluster1/ServiceAccount/istio-system/istiod\n  ${istiod}\nHint:`);
  });
});

describe('meshctl state rm', () => {
  it('forgets objects and whole units in one write (serial + 1), and keeps a backup of the state as it was', async () => {
    const w = withState();
    const before = readFileSync(w.stateFile, 'utf8');
    const r = await meshctl(w, ['state', 'rm', 'cluster1/crds', namespace]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expectGoldenFile(goldenDir, 'state-rm.txt', portable(w, r.out));
    const after = stateOnDisk(w)!;
    expect(after.serial).toBe(applied.serial + 1);
    expect(after.objects).toEqual(['cluster1/ConfigMap/istio-system/istio', istiod, 'cluster1/ServiceAccount/istio-system/istiod']);
    const state = JSON.parse(readFileSync(w.stateFile, 'utf8')) as MeshState;
    expect(state.units.map((u) => u.id)).toEqual(['cluster1/namespace', 'cluster1/control-plane']);
    expect(state.lineage).toBe(LINEAGE);
    expect(backups(w)).toEqual(['meshctl.state.20260102T030405Z.backup.json']);
    expect(readFileSync(join(w.dir, backups(w)[0]!), 'utf8')).toBe(before);
    expect(existsSync(lockFileOf(w.stateFile))).toBe(false);
  });

  it('touches no cluster; a later apply adopts what it finds, as existing before meshctl', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const live = liveAddresses(w);
    const requests = w.cluster.requests;
    const r = await meshctl(w, ['state', 'rm', 'cluster1/namespace']);
    expect(r.code, r.err).toBe(0);
    expect(liveAddresses(w)).toEqual(live);
    expect(w.cluster.requests).toBe(requests);
    expect(stateOnDisk(w)!.objects).not.toContain(namespace);
    const again = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(again.code, again.err).toBe(0);
    const readopted = JSON.parse(readFileSync(w.stateFile, 'utf8')) as MeshState;
    expect(readopted.objects[namespace]).toMatchObject({ status: 'applied', existedBefore: true });
    expect(readopted.units.map((u) => u.id)).toContain('cluster1/namespace');
  });

  it('--dry-run shows what would be forgotten and changes nothing', async () => {
    const w = withState();
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'rm', '--dry-run', 'cluster1/control-plane']);
    expect(r.code, r.err).toBe(0);
    expectGoldenFile(goldenDir, 'state-rm-dry-run.txt', portable(w, r.out));
    expect(stateOnDisk(w)).toEqual(before);
    expect(backups(w)).toEqual([]);
  });

  it('refuses when any address is unknown, and changes nothing (no write, no backup, lock released)', async () => {
    const w = withState();
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'rm', istiod, 'cluster1/Deployment.apps/istio-system/istio', 'cluster9/crds']);
    expectRefused(w, r, before, 'Not in the state');
    expect(r.err).toContain('cluster1/Deployment.apps/istio-system/istio is not an object address or a unit ID');
    expect(r.err).toContain('cluster9/crds is not an object address or a unit ID');
    expect(r.err).toContain('Nothing was changed.\nClose matches:\n  cluster1/crds\n');
    expect(r.err).toContain('2 errors, 0 warnings');
    expect(backups(w)).toEqual([]);
  });

  it('--backup PATH saves the state as it was there; a second rm in the same second gets its own default backup', async () => {
    const w = withState();
    const before = readFileSync(w.stateFile, 'utf8');
    const r = await meshctl(w, ['state', 'rm', '--backup', 'saved/../before-rm.json', istiod]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`The state as it was is saved in ${join(w.dir, 'before-rm.json')}`);
    expect(readFileSync(join(w.dir, 'before-rm.json'), 'utf8')).toBe(before);
    expect((await meshctl(w, ['state', 'rm', namespace])).code).toBe(0);
    expect((await meshctl(w, ['state', 'rm', 'cluster1/crds'])).code).toBe(0);
    expect(backups(w).sort()).toEqual(['meshctl.state.20260102T030405Z-2.backup.json', 'meshctl.state.20260102T030405Z.backup.json']);
  });

  it('refuses an unwritable --backup and leaves the state as it was', async () => {
    const w = withState();
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'rm', '--backup', 'no/such/dir/b.json', istiod]);
    expectRefused(w, r, before, 'Cannot write the state backup');
    expect(r.err).toContain('The state was not changed.');
  });

  it('waits for the lock like apply, and gives up naming the holder', async () => {
    const w = withState();
    const before = stateOnDisk(w);
    const lock = await new LocalStateBackend(w.stateFile, 'mesh1').lock({ operation: 'apply', version: '0.1.0', timeoutMs: 0 });
    try {
      const r = await meshctl(w, ['state', 'rm', '--lock-timeout', '1s', istiod]);
      expect(r.code).toBe(1);
      expect(r.err).toContain('Waiting up to 1s for the state lock held by');
      expect(r.err).toContain('Error: Error acquiring the state lock');
      expect(r.err).toContain(`meshctl force-unlock ${lock.info.id}`);
      expect(stateOnDisk(w)).toEqual(before);
      expect(backups(w)).toEqual([]);
    } finally {
      await lock.release();
    }
  });
});

describe('meshctl state pull', () => {
  it('prints the state as stored', async () => {
    const w = withState(richState());
    const r = await meshctl(w, ['state', 'pull']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe(readFileSync(w.stateFile, 'utf8'));
  });
});

describe('meshctl state push', () => {
  it('stores FILE exactly (serial kept) where the state now lives, e.g. moving it to another backend', async () => {
    const w = withState();
    const text = readFileSync(w.stateFile, 'utf8');
    const r = await meshctl(w, ['state', 'push', 'meshctl.state.json', '--state', 'moved/../elsewhere.json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`Pushed ${w.stateFile} to ${join(w.dir, 'elsewhere.json')}: serial ${applied.serial}, lineage ${LINEAGE} (it held no state).\n`);
    expect(readFileSync(join(w.dir, 'elsewhere.json'), 'utf8')).toBe(text);
    expect(existsSync(lockFileOf(join(w.dir, 'elsewhere.json')))).toBe(false);
  });

  it('moves the state to a Kubernetes backend: switch mesh.yaml to state.kubernetes, then push the local file', async () => {
    const w = withState();
    const text = readFileSync(w.stateFile, 'utf8');
    writeFileSync(join(w.dir, 'mesh.yaml'), `${singlePrimaryMesh}state:\n  kubernetes: { context: cluster1, namespace: meshctl-system }\n`);
    const api = new FakeStateApi();
    const ports: Ports = {
      ...w.ports,
      state: (where, ctx) =>
        where.backend === 'kubernetes'
          ? new KubernetesStateBackend({ caller: api, namespace: where.namespace, meshID: ctx.meshID, leaseDurationSeconds: where.leaseDurationSeconds })
          : w.ports.state(where, ctx),
    };
    const k8s = { dir: w.dir, ports };
    const pushed = await meshctl(k8s, ['state', 'push', 'meshctl.state.json']);
    expect(pushed.code, pushed.err).toBe(0);
    expect(pushed.out).toMatch(new RegExp(`^Pushed ${w.stateFile} to .*meshctl-system.*: serial ${applied.serial}, lineage ${LINEAGE} \\(it held no state\\)\\.\\n$`));
    expect(api.objects('leases').every((l) => !(l as { spec?: { holderIdentity?: string } }).spec?.holderIdentity)).toBe(true);
    const pulled = await meshctl(k8s, ['state', 'pull']);
    expect(pulled.out).toBe(text);
    expect((await meshctl(k8s, ['state', 'push', 'meshctl.state.json'])).out).toContain('Nothing was written.');
    const listed = await meshctl(k8s, ['state', 'list', 'cluster1/control-plane']);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain(istiod);
    // --state names a local file, which this mesh.yaml no longer uses: refused, pointing at push.
    const local = await meshctl(k8s, ['state', 'list', '--state', 'meshctl.state.json']);
    expect(local.code).toBe(1);
    expect(local.err).toContain('use meshctl state pull / push to move the state between backends');
  });

  it('accepts a newer serial of the same lineage', async () => {
    const w = withState();
    const newer = serializeState({ ...applied, serial: applied.serial + 3 });
    writeFileSync(join(w.dir, 'newer.json'), newer);
    const r = await meshctl(w, ['state', 'push', 'newer.json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`Pushed ${join(w.dir, 'newer.json')} to ${w.stateFile}: serial ${applied.serial + 3}, lineage ${LINEAGE} (it held serial ${applied.serial}).\n`);
    expect(readFileSync(w.stateFile, 'utf8')).toBe(newer);
  });

  it('writes nothing when the backend already holds that state', async () => {
    const w = withState();
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', 'push', 'meshctl.state.json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${w.stateFile} already holds ${w.stateFile} (serial ${applied.serial}, lineage ${LINEAGE}). Nothing was written.\n`);
    expect(stateOnDisk(w)).toEqual(before);
  });

  const refusals: ReadonlyArray<readonly [string, (s: MeshState) => MeshState, string, (s: MeshState) => string]> = [
    ['another lineage', (s) => ({ ...s, lineage: 'another-lineage' }), 'State lineage differs', (s) => `is of lineage another-lineage, but ${'<file>'} holds lineage ${s.lineage}`],
    ['an older serial', (s) => ({ ...s, serial: s.serial - 1 }), 'Pushed state is older', (s) => `is serial ${s.serial - 1}, but ${'<file>'} holds serial ${s.serial} of the same lineage`],
    [
      'the same serial with other content',
      (s) => ({ ...s, units: s.units.slice(1) }),
      'Pushed state differs at the same serial',
      (s) => `are both serial ${s.serial} of lineage ${s.lineage}, but their content differs`,
    ],
  ];

  it.each(refusals)('refuses %s, changing nothing; --force stores it exactly', async (_name, edit, summary, detail) => {
    const w = withState();
    const before = stateOnDisk(w);
    const pushed = edit(applied);
    writeFileSync(join(w.dir, 'other.json'), serializeState(pushed));
    const r = await meshctl(w, ['state', 'push', 'other.json']);
    expectRefused(w, r, before, summary);
    expect(r.err).toContain(detail(applied).replace('<file>', w.stateFile));
    expect(r.err).toContain('Nothing was pushed. If FILE is the state you mean to keep, --force replaces the stored state with it.');
    const forced = await meshctl(w, ['state', 'push', '--force', 'other.json']);
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(w.stateFile, 'utf8')).toBe(serializeState(pushed));
  });

  it('restores a state rm backup with --force (its serial is older)', async () => {
    const w = withState();
    const before = readFileSync(w.stateFile, 'utf8');
    expect((await meshctl(w, ['state', 'rm', istiod])).code).toBe(0);
    const backup = backups(w)[0]!;
    expect((await meshctl(w, ['state', 'push', backup])).err).toContain('Error: Pushed state is older');
    const r = await meshctl(w, ['state', 'push', '--force', backup]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(w.stateFile, 'utf8')).toBe(before);
  });

  const badFiles: ReadonlyArray<readonly [string, string | null, string]> = [
    ['a missing file', null, 'Cannot read state file'],
    ['a file that is not JSON', '{ "version": 1, ', 'Unusable state file'],
    ['a file that is not a state', '{"hello": "world"}\n', 'Unusable state file'],
    ['a state of another mesh', 'mesh2', 'State file belongs to another mesh'],
  ];

  it.each(badFiles)('refuses %s, even with --force, and changes nothing', async (_name, content, summary) => {
    const w = withState();
    const before = stateOnDisk(w);
    if (content === 'mesh2') writeFileSync(join(w.dir, 'in.json'), serializeState({ ...applied, meshID: 'mesh2', serial: applied.serial + 1 }));
    else if (content !== null) writeFileSync(join(w.dir, 'in.json'), content);
    const r = await meshctl(w, ['state', 'push', '--force', 'in.json']);
    expectRefused(w, r, before, summary);
    expect(r.err).toContain('Nothing was pushed.');
  });
});

describe('meshctl state refuses command lines that make no sense, changing nothing', () => {
  const lines: ReadonlyArray<readonly [readonly string[], string, string]> = [
    [['show'], 'Invalid arguments', 'meshctl state show takes one ADDRESS'],
    [['show', istiod, namespace], 'Invalid arguments', 'it was given 2'],
    [['rm'], 'Invalid arguments', 'meshctl state rm takes the ADDRESS of at least one object or unit'],
    [['pull', 'x'], 'Invalid arguments', 'meshctl state pull takes no arguments'],
    [['push'], 'Invalid arguments', 'meshctl state push takes one FILE'],
    [['list', '--dry-run'], 'Invalid option', '--dry-run is for meshctl state rm and mv, not meshctl state list.'],
    [['rm', istiod, '--json'], 'Invalid option', '--json is for meshctl state list, not meshctl state rm.'],
    [['rm', istiod, '--force'], 'Invalid option', '--force is for meshctl state push, not meshctl state rm.'],
    [['show', istiod, '--lock-timeout', '1s'], 'Invalid option', '--lock-timeout is for meshctl state rm, mv and push, not meshctl state show.'],
    [['rm', istiod, '--lock-timeout', 'soon'], 'Invalid option', '--lock-timeout "soon" is not a duration'],
  ];

  it.each(lines)('meshctl state %j', async (args, summary, detail) => {
    const w = withState();
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['state', ...args]);
    expectRefused(w, r, before, summary);
    expect(r.err).toContain(detail);
    expect(r.out).toBe('');
    expect(backups(w)).toEqual([]);
  });

  it('an unknown subcommand is a usage error', async () => {
    const w = withState();
    const r = await meshctl(w, ['state', 'lst']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Argument: subcommand, Given: "lst", Choices: "list", "show", "rm", "mv", "pull", "push"');
    expect(statSync(w.stateFile).isFile()).toBe(true);
  });
});
