// Stale saved plans: each rule refuses on its own and names what changed; nothing else refuses.
import { describe, expect, it } from 'vitest';
import { addressesToCheck, checkStale, type LiveVersion, type StaleCheckInput } from '../../../src/planner/stale.js';
import type { Plan } from '../../../src/planner/plan.js';
import { createsPlan, deletionsPlan, lineage, noChangesPlan, sourceDigest, updatesPlan } from '../plan-views/fixtures.js';

/** The world exactly as it was when `plan` was made. */
function unchanged(plan: Plan): StaleCheckInput {
  const live = new Map<string, LiveVersion | undefined>();
  for (const c of plan.changes) {
    if (c.action === 'noop') continue;
    live.set(c.address, c.action === 'create' ? undefined : { resourceVersion: c.observedResourceVersion! });
  }
  return { plan, currentState: plan.state, sourceDigest, live };
}

const summaries = (input: StaleCheckInput) => checkStale(input).map((d) => d.summary);

describe('checkStale', () => {
  it.each([
    ['creates (no state yet)', createsPlan],
    ['updates', updatesPlan],
    ['deletions', deletionsPlan],
    ['no changes', noChangesPlan],
  ])('accepts a plan when nothing moved: %s', (_, make) => {
    expect(checkStale(unchanged(make()))).toEqual([]);
  });

  it('addressesToCheck is every object the plan acts on, no-ops left out', () => {
    expect(addressesToCheck(updatesPlan())).toEqual(['cluster1/Namespace/_/istio-system', 'cluster1/Secret/istio-system/cacerts', 'cluster1/ConfigMap/istio-system/istio']);
    expect(addressesToCheck(noChangesPlan())).toEqual([]);
  });

  it('refuses a plan for another lineage', () => {
    const [d, ...rest] = checkStale({ ...unchanged(updatesPlan()), currentState: { lineage: 'other-lineage', serial: 7 } });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary: 'Plan is for another state' });
    expect(d!.detail).toContain(`The plan was made against state lineage ${lineage}, but the state here has lineage other-lineage`);
  });

  it('refuses when the serial moved on, or went back', () => {
    const [on] = checkStale({ ...unchanged(updatesPlan()), currentState: { lineage, serial: 9 } });
    expect(on).toMatchObject({ severity: 'error', summary: 'Saved plan is stale' });
    expect(on!.detail).toContain('moved on from serial 7 to 9: another apply or destroy has run since the plan was made');
    const [back] = checkStale({ ...unchanged(updatesPlan()), currentState: { lineage, serial: 5 } });
    expect(back!.detail).toContain('went back from serial 7 to 5');
  });

  it('refuses when a state appeared or vanished since planning', () => {
    const [created] = checkStale({ ...unchanged(createsPlan()), currentState: { lineage, serial: 1 } });
    expect(created!.summary).toBe('State created since the plan');
    expect(created!.detail).toContain(`there is one now (lineage ${lineage}, serial 1)`);
    const [gone] = checkStale({ ...unchanged(updatesPlan()), currentState: null });
    expect(gone!.summary).toBe('State missing');
    expect(gone!.detail).toContain(`state lineage ${lineage} at serial 7, but there is no state now`);
  });

  it("refuses when mesh.yaml's digest changed, naming both digests", () => {
    const [d] = checkStale({ ...unchanged(updatesPlan()), sourceDigest: 'sha256:0000' });
    expect(d).toMatchObject({ severity: 'error', summary: 'mesh.yaml changed since the plan', path: 'mesh.yaml' });
    expect(d!.detail).toContain(`digest ${sourceDigest} then, sha256:0000 now`);
  });

  it('refuses when an object it updates changed, naming address and old → new resourceVersion', () => {
    const input = unchanged(updatesPlan());
    const live = new Map(input.live);
    live.set('cluster1/ConfigMap/istio-system/istio', { resourceVersion: '9999' });
    const [d, ...rest] = checkStale({ ...input, live });
    expect(rest).toEqual([]);
    expect(d!.summary).toBe('Object changed since the plan');
    const before = updatesPlan().changes.find((c) => c.address === 'cluster1/ConfigMap/istio-system/istio')!.observedResourceVersion;
    expect(d!.detail).toContain(`  - cluster1/ConfigMap/istio-system/istio: resourceVersion ${before} → 9999; the plan was to update it`);
  });

  it('refuses when an object it creates appeared, or one it deletes disappeared', () => {
    const c = unchanged(createsPlan());
    const appeared = new Map(c.live);
    appeared.set('cluster1/Secret/istio-system/cacerts', { resourceVersion: '42' });
    const [a] = checkStale({ ...c, live: appeared });
    expect(a!.summary).toBe('Object appeared since the plan');
    expect(a!.detail).toContain('cluster1/Secret/istio-system/cacerts: created by someone else since the plan (resourceVersion 42); the plan was to create it');

    const d = unchanged(deletionsPlan());
    const gone = new Map(d.live);
    gone.set('cluster1/Secret/istio-system/istio-remote-secret-cluster2', undefined);
    const [g] = checkStale({ ...d, live: gone });
    expect(g!.summary).toBe('Object disappeared since the plan');
    expect(g!.detail).toMatch(/cluster1\/Secret\/istio-system\/istio-remote-secret-cluster2: deleted since the plan \(it was at resourceVersion \d+\); the plan was to delete it/);
  });

  it('does not refuse for objects the plan leaves alone', () => {
    const input = unchanged(updatesPlan());
    // The east-west Service is a no-op in this plan: a controller bumping it is no reason to refuse.
    const live = new Map(input.live);
    live.set('cluster1/Service/istio-system/istio-eastwestgateway', { resourceVersion: '123456' });
    expect(checkStale({ ...input, live })).toEqual([]);
  });

  it('lists every changed object in one diagnostic, at most twenty of them', () => {
    const base = updatesPlan();
    const many: Plan = {
      ...base,
      changes: Array.from({ length: 25 }, (_, i) => ({ ...base.changes[0]!, address: `cluster1/ConfigMap/istio-system/cm-${i}`, action: 'update' as const, observedResourceVersion: String(i) })),
    };
    const live = new Map(many.changes.map((c, i) => [c.address, { resourceVersion: String(100 + i) }]));
    const diags = checkStale({ plan: many, currentState: many.state, sourceDigest, live });
    expect(diags).toHaveLength(1);
    expect(diags[0]!.summary).toBe('Objects changed since the plan');
    expect(diags[0]!.detail).toContain('cm-0: resourceVersion 0 → 100');
    expect(diags[0]!.detail).toContain('cm-19: resourceVersion 19 → 119');
    expect(diags[0]!.detail).not.toContain('cm-20:');
    expect(diags[0]!.detail).toContain('  - … and 5 more');
  });

  it('reports every rule that failed at once', () => {
    const input = unchanged(updatesPlan());
    const live = new Map(input.live);
    live.set('cluster1/Namespace/_/istio-system', undefined);
    expect(summaries({ ...input, live, currentState: { lineage, serial: 8 }, sourceDigest: 'sha256:1' })).toEqual([
      'Saved plan is stale',
      'mesh.yaml changed since the plan',
      'Object disappeared since the plan',
    ]);
  });

  it('compares only existence when the plan recorded no resourceVersion', () => {
    const base = updatesPlan();
    const plan: Plan = { ...base, changes: base.changes.map(({ observedResourceVersion: _, ...c }) => c) };
    const input = unchanged(base);
    expect(checkStale({ ...input, plan })).toEqual([]);
    const live = new Map(input.live);
    live.set('cluster1/Secret/istio-system/cacerts', undefined);
    expect(summaries({ ...input, plan, live })).toEqual(['Object disappeared since the plan']);
  });

  it('throws (a bug in the caller) when an address was not looked up', () => {
    const input = unchanged(updatesPlan());
    const live = new Map(input.live);
    live.delete('cluster1/Secret/istio-system/cacerts');
    expect(() => checkStale({ ...input, live })).toThrow(/cluster1\/Secret\/istio-system\/cacerts was not looked up .*bug in meshctl/);
  });
});
