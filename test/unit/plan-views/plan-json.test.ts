// The JSON view of a plan: golden files per fixture, every output valid against
// schemas/plan.schema.json, and the rules for markers (no digests, no $unknown, masks).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planToJson, displayPatchOp, type ResourceChangeJson } from '../../../src/views/plan-json.js';
import { ACTIONS, type Change, type Plan } from '../../../src/planner/plan.js';
import { sensitive } from '../../../src/kube/sensitive.js';
import { allPlans, createsPlan, deletionsPlan, driftPlan, hugePlan, secrets, updatesPlan } from './fixtures.js';
import { expectGoldenText } from './golden.js';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../schemas/plan.schema.json', import.meta.url)), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true, formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/ } });
const validate = ajv.compile(schema);

function expectValid(v: unknown): void {
  const ok = validate(v);
  expect(ok ? [] : validate.errors).toEqual([]);
}

const rc = (p: Plan, address: string): ResourceChangeJson => planToJson(p).resource_changes.find((c) => c.address === address)!;

describe('planToJson', () => {
  // The huge plan is checked against the schema only: its golden file would weigh 450 kB.
  it.each(Object.keys(allPlans).filter((n) => n !== 'huge'))('%s: matches its golden file and the schema', (name) => {
    const json = planToJson(allPlans[name]!());
    expectValid(json);
    expectGoldenText(`${name}.plan.json`, `${JSON.stringify(json, null, 2)}\n`);
  });

  it('huge: matches the schema', () => {
    const json = planToJson(hugePlan());
    expectValid(json);
    expect(json.resource_changes).toHaveLength(60);
  });

  it('holds no secret, no digest and no marker in any fixture', () => {
    for (const [name, make] of Object.entries(allPlans)) {
      const text = JSON.stringify(planToJson(make()));
      const changes = JSON.stringify(planToJson(make()).resource_changes);
      for (const s of Object.values(secrets)) {
        expect(text, name).not.toContain(s);
        expect(text, name).not.toContain(Buffer.from(s).toString('base64'));
      }
      expect(changes, name).not.toContain('sha256:');
      expect(text, name).not.toContain('$sensitive');
      expect(text, name).not.toContain('$unknown');
    }
  });

  it('leaves unknowns out of after and marks them true in after_unknown, and sensitive unknowns in after_sensitive', () => {
    const p = createsPlan();
    const remote = rc(p, 'cluster1/Secret/istio-system/istio-remote-secret-cluster2');
    expect(remote.change.actions).toEqual(['create']);
    expect(remote.change.before).toBeNull();
    expect((remote.change.after as { data: object }).data).toEqual({});
    expect(remote.change.after_unknown).toEqual({ data: { cluster2: true } });
    expect(remote.change.after_sensitive).toEqual({ data: { cluster2: true } });
    expect(remote.change.before_sensitive).toBe(false);
    const pilot = rc(p, 'cluster2/ConfigMap/istio-system/istio-remote-pilot');
    expect((pilot.change.after as { data: object }).data).toEqual({ network: 'network2' });
    expect(pilot.change.after_unknown).toEqual({ data: { remotePilotAddress: true } });
    expect(pilot.change.after_sensitive).toEqual({});
  });

  it('shows secret data as "(sensitive value)" with true in the sensitive masks', () => {
    const ca = rc(updatesPlan(), 'cluster1/Secret/istio-system/cacerts');
    expect(ca.change.actions).toEqual(['update']);
    expect(ca.action_reason).toBe('config_changed');
    const data = { 'ca-cert.pem': '(sensitive value)', 'ca-key.pem': '(sensitive value)', 'root-cert.pem': '(sensitive value)' };
    expect((ca.change.before as { data: object }).data).toEqual(data);
    expect((ca.change.after as { data: object }).data).toEqual(data);
    const mask = { data: { 'ca-cert.pem': true, 'ca-key.pem': true, 'root-cert.pem': true } };
    expect(ca.change.before_sensitive).toEqual(mask);
    expect(ca.change.after_sensitive).toEqual(mask);
    // The rotated key shows as one readable operation on the key, not on its digest.
    expect(ca.change.patch).toEqual([{ op: 'replace', path: '/data/ca-key.pem', value: '(sensitive value)' }]);
  });

  it('maps actions and reasons, and lists drift', () => {
    const d = planToJson(deletionsPlan());
    const byAddr = new Map(d.resource_changes.map((c) => [c.address, c]));
    expect(byAddr.get('cluster1/Secret/istio-system/istio-remote-secret-cluster2')!.change.actions).toEqual(['delete']);
    expect(byAddr.get('cluster1/Secret/istio-system/istio-remote-secret-cluster2')!.change.after).toBeNull();
    expect(byAddr.get('cluster2/Namespace/_/istio-system')!.change.actions).toEqual(['forget']);
    expect(byAddr.get('cluster2/Namespace/_/istio-system')!.existed_before).toBe(true);
    expect(byAddr.get('cluster1/Namespace/_/istio-system')!.change.actions).toEqual(['no-op']);
    expect(byAddr.get('cluster1/Namespace/_/istio-system')!.namespace).toBeNull();
    expect(d.has_changes).toBe(true);
    expect(d.summary).toEqual({ add: 0, change: 0, destroy: 3, forget: 1 });
    const drift = planToJson(driftPlan());
    expect(drift.mode).toBe('refresh-only');
    expect(drift.drift).toEqual(['cluster2/Namespace/_/istio-system', 'cluster1/Secret/istio-system/istio-remote-secret-cluster2']);
  });

  it('gives units their own counts and keeps waves', () => {
    const j = planToJson(deletionsPlan());
    expect(j.units.find((u) => u.id === 'cluster2/namespace')).toMatchObject({ removal: true, summary: { add: 0, change: 0, destroy: 0, forget: 1 } });
    expect(j.waves.flat().sort()).toEqual(j.units.map((u) => u.id).sort());
  });

  it('turns marker patch operations into display operations', () => {
    expect(displayPatchOp({ op: 'replace', path: '/data/k/$sensitive', value: 'sha256:ab' })).toEqual({ op: 'replace', path: '/data/k', value: '(sensitive value)' });
    expect(displayPatchOp({ op: 'add', path: '/spec/a/$unknown', value: { unit: 'u', output: 'address' } })).toEqual({ op: 'replace', path: '/spec/a', value: '(known after apply)' });
    expect(displayPatchOp({ op: 'add', path: '/data/k', value: sensitive('x') })).toEqual({ op: 'add', path: '/data/k', value: '(sensitive value)' });
    expect(displayPatchOp({ op: 'move', path: '/a', from: '/b' })).toEqual({ op: 'move', path: '/a', from: '/b' });
    expect(displayPatchOp({ op: 'remove', path: '/a' })).toEqual({ op: 'remove', path: '/a' });
  });

  it('the schema rejects markers, unknown actions and missing fields', () => {
    const good = planToJson(updatesPlan());
    const bad = (f: (j: Record<string, any>) => void) => {
      const j = JSON.parse(JSON.stringify(good)) as Record<string, any>;
      f(j);
      return validate(j);
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((j) => (j.resource_changes[0].change.after.metadata.x = { $sensitive: 'sha256:00' }))).toBe(false);
    expect(bad((j) => (j.resource_changes[0].change.before = { $unknown: { unit: 'u', output: 'address' } }))).toBe(false);
    expect(bad((j) => (j.resource_changes[0].change.actions = ['replace']))).toBe(false);
    expect(bad((j) => delete j.summary)).toBe(false);
    expect(bad((j) => (j.format_version = '2.0'))).toBe(false);
  });
});

// Values of any shape, with markers anywhere: the view must always validate and never leak.
const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
const marker = fc.oneof(
  fc.string().map((s) => sensitive(`secret-${s}`)),
  fc.record({ unit: fc.constantFrom('cluster1/eastwest-gateway', 'cluster2/remote-reader'), output: fc.constantFrom('address', 'token'), sensitive: fc.boolean() }).map(($unknown) => ({ $unknown })),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    marker,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.startsWith('$')),
      tie('v'),
      { maxKeys: 4 },
    ),
  ),
})).v;

describe('planToJson on arbitrary values', () => {
  it('always validates and holds no digest or marker', () => {
    fc.assert(
      fc.property(value, value, fc.constantFrom(...ACTIONS) as fc.Arbitrary<Change['action']>, (before, after, action) => {
        const base = createsPlan();
        const c: Change = { ...base.changes[0]!, action, before, after, afterUnknown: [] };
        const json = planToJson({ ...base, changes: [c] });
        expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
        const text = JSON.stringify(json.resource_changes);
        expect(text).not.toContain('$sensitive');
        expect(text).not.toContain('$unknown');
        expect(text).not.toMatch(/sha256:/);
      }),
      { numRuns: 300 },
    );
  });
});
