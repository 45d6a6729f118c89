// A canary upgrade by revision: the new revision's control plane is installed beside the old,
// the revision tags move to it once it is rolled out, and the old revision goes last — unless
// mesh.yaml keeps it (istio.keepRevisions), when it is left exactly as it is.
import { describe, expect, it } from 'vitest';
import type { Unit } from '../../../src/model/desired.js';
import { planMesh } from '../../../src/planner/plan-mesh.js';
import { addressIn, changeAt, deployment, desired, liveMap, mutatingWebhook, namespace, serviceAccount, stateAfterApply, unit } from '../support/mesh-fixtures.js';

const ns = unit({ kind: 'namespace', objects: [namespace()] });
// The base chart's reader ServiceAccount is rendered by every revision: it moves, it is not deleted.
const controlPlane = (rev: string): Unit =>
  unit({
    id: `cluster1/control-plane/${rev}`,
    kind: 'control-plane',
    dependsOn: ['cluster1/namespace'],
    objects: [deployment(`istiod-${rev}`), mutatingWebhook(`istio-sidecar-injector-${rev}`), serviceAccount('istio-reader-service-account')],
  });
const tags = (rev: string): Unit => {
  const hook = mutatingWebhook('istio-revision-tag-default');
  hook.metadata.labels = { 'istio.io/tag': 'default', 'istio.io/rev': rev };
  return unit({ kind: 'revision-tags', dependsOn: [`cluster1/control-plane/${rev}`], objects: [hook] });
};

const before = [ns, controlPlane('1-30-5'), tags('1-30-5')];
const after = [ns, controlPlane('1-31-0'), tags('1-31-0')];
const prior = stateAfterApply(before);
const live = liveMap(
  'cluster1',
  before.flatMap((u) => u.objects),
);

function plan(kept: readonly string[] = []) {
  return planMesh({
    mode: 'apply',
    desired: { ...desired(after), kept },
    observed: { objects: live },
    prior,
    source: { file: '/work/mesh/mesh.yaml', digest: 'sha256:test' },
    createdAt: '2025-01-01T00:00:00.000Z',
    meshctlVersion: '0.1.0',
  });
}

describe('a canary upgrade in one apply', () => {
  const p = plan();
  const byId = new Map(p.units.map((u) => [u.id, u]));

  it('installs the new revision, then moves the tag, then removes the old revision last', () => {
    expect(p.units.map((u) => `${u.id}${u.removal ? ' (removed)' : ''}`)).toEqual([
      'cluster1/namespace',
      'cluster1/control-plane/1-31-0',
      'cluster1/revision-tags',
      'cluster1/control-plane/1-30-5 (removed)',
    ]);
    expect(byId.get('cluster1/revision-tags')!.dependsOn).toEqual(['cluster1/control-plane/1-31-0']);
    // The removal runs after every unit that is kept, the tag's move included.
    expect(byId.get('cluster1/control-plane/1-30-5')!.dependsOn).toEqual(['cluster1/namespace', 'cluster1/control-plane/1-31-0', 'cluster1/revision-tags']);
    expect(p.waves.at(-1)).toEqual(['cluster1/control-plane/1-30-5']);
  });

  it('creates the new istiod and webhook, updates the tag in place, deletes only what is the old revision’s own', () => {
    expect(changeAt(p, addressIn('cluster1', deployment('istiod-1-31-0'))).action).toBe('create');
    expect(changeAt(p, addressIn('cluster1', mutatingWebhook('istio-revision-tag-default'))).action).toBe('update');
    expect(changeAt(p, addressIn('cluster1', deployment('istiod-1-30-5'))).action).toBe('delete');
    expect(changeAt(p, addressIn('cluster1', mutatingWebhook('istio-sidecar-injector-1-30-5'))).action).toBe('delete');
    const shared = changeAt(p, addressIn('cluster1', serviceAccount('istio-reader-service-account')));
    expect([shared.action, shared.unit, shared.record]).toEqual(['noop', 'cluster1/control-plane/1-31-0', 'move']);
    expect(p.summary).toMatchObject({ add: 2, change: 1, destroy: 2 });
  });
});

describe('a canary upgrade in phases (keepRevisions)', () => {
  it('leaves the kept revision installed and its records as they are', () => {
    const p = plan(['cluster1/control-plane/1-30-5']);
    expect(p.units.map((u) => u.id)).toEqual(['cluster1/namespace', 'cluster1/control-plane/1-31-0', 'cluster1/revision-tags']);
    expect(p.changes.filter((c) => c.action === 'delete')).toEqual([]);
    expect(p.summary).toMatchObject({ add: 2, change: 1, destroy: 0 });
  });

  it('removes it once the entry is dropped, with nothing else to do', () => {
    const phase1 = stateAfterApply([...after, controlPlane('1-30-5')]);
    // The shared ServiceAccount is recorded by the new revision (it moved in phase 1).
    const rec = phase1.objects[addressIn('cluster1', serviceAccount('istio-reader-service-account'))]!;
    const state = { ...phase1, objects: { ...phase1.objects, [addressIn('cluster1', serviceAccount('istio-reader-service-account'))]: { ...rec, unit: 'cluster1/control-plane/1-31-0' } } };
    const p = planMesh({
      mode: 'apply',
      desired: desired(after),
      observed: {
        objects: liveMap(
          'cluster1',
          [...after, controlPlane('1-30-5')].flatMap((u) => u.objects),
        ),
      },
      prior: state,
      source: { file: '/work/mesh/mesh.yaml', digest: 'sha256:test' },
      createdAt: '2025-01-01T00:00:00.000Z',
      meshctlVersion: '0.1.0',
    });
    expect(p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.ref.name}`)).toEqual(['delete istio-sidecar-injector-1-30-5', 'delete istiod-1-30-5']);
  });
});
