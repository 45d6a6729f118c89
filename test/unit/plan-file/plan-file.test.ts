// Saved plans: the envelope round-trips, holds no secret, and every way a file can be wrong
// gets its own clear refusal.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePlanFile, planFileFormatVersion, secretValuesIn, serializePlanFile } from '../../../src/planner/plan-file.js';
import type { Plan } from '../../../src/planner/plan.js';
import type { Diagnostic } from '../../../src/diagnostics.js';
import { allPlans, createsPlan, deletionsPlan, secrets, updatesPlan } from '../plan-views/fixtures.js';

const file = 'out/plan.json';

function refusal(text: string): Diagnostic[] {
  const r = parsePlanFile(text, { file });
  if (!('diagnostics' in r)) throw new Error('expected a refusal');
  expect(r.diagnostics.length).toBeGreaterThan(0);
  for (const d of r.diagnostics) expect(d.severity).toBe('error');
  return [...r.diagnostics];
}

/** A valid file with `edit` applied to its envelope (digest recomputed unless said otherwise). */
function edited(edit: (envelope: Record<string, any>) => void, opts: { keepDigest?: boolean } = {}): string {
  const env = JSON.parse(serializePlanFile(updatesPlan())) as Record<string, any>;
  edit(env);
  // Recompute as docs/plan-format.md describes it, so only the edited rule is what fails.
  if (!opts.keepDigest)
    env['plan_digest'] = `sha256:${createHash('sha256')
      .update(JSON.stringify(env['plan']) ?? '')
      .digest('hex')}`;
  return JSON.stringify(env);
}

describe('serializePlanFile / parsePlanFile', () => {
  it.each(Object.keys(allPlans))('%s: round-trips to an equal plan', (name) => {
    const plan = allPlans[name]!();
    const text = serializePlanFile(plan);
    const back = parsePlanFile(text, { file });
    expect(back).toEqual({ plan: JSON.parse(JSON.stringify(plan)) });
    // And writing it again gives the same bytes.
    expect(serializePlanFile((back as { plan: Plan }).plan)).toBe(text);
  });

  it('writes the versioned envelope', () => {
    const env = JSON.parse(serializePlanFile(createsPlan()));
    expect(Object.keys(env)).toEqual(['format', 'format_version', 'meshctl_version', 'plan_digest', 'plan']);
    expect(env.format).toBe('meshctl-plan');
    expect(env.format_version).toBe(planFileFormatVersion);
    expect(env.meshctl_version).toBe('0.1.0');
    expect(env.plan_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each(Object.keys(allPlans))('%s: the file holds none of the secret values put into the objects', (name) => {
    const text = serializePlanFile(allPlans[name]!());
    for (const s of Object.values(secrets)) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(Buffer.from(s).toString('base64'));
    }
  });

  it('keeps digests of secret data so apply can compare, and markers for unknown secrets', () => {
    const text = serializePlanFile(updatesPlan());
    expect(text).toContain('"$sensitive": "sha256:');
    expect(serializePlanFile(createsPlan())).toContain('"sensitive": true');
  });

  it('refuses to write a plan where a secret value slipped through unmasked', () => {
    const p = deletionsPlan();
    const leaky: Plan = {
      ...p,
      changes: p.changes.map((c) =>
        c.address === 'cluster1/Secret/istio-system/istio-remote-secret-cluster2'
          ? { ...c, before: { ...(c.before as object), data: { cluster2: Buffer.from(secrets.readerToken).toString('base64') } } }
          : c,
      ),
    };
    expect(secretValuesIn(leaky)).toEqual(['cluster1/Secret/istio-system/istio-remote-secret-cluster2 before.data.cluster2']);
    expect(() => serializePlanFile(leaky)).toThrow(/refusing to write a plan holding secret values .*before\.data\.cluster2.*bug in meshctl/);
    const viaPatch: Plan = {
      ...p,
      changes: p.changes.map((c, i) => (i === 0 ? { ...c, ref: { ...c.ref, kind: 'Secret' }, patch: [{ op: 'add', path: '/stringData/token', value: secrets.readerToken }] } : c)),
    };
    expect(secretValuesIn(viaPatch)).toEqual([`${p.changes[0]!.address} patch /stringData/token`]);
    expect(secretValuesIn(updatesPlan())).toEqual([]);
  });
});

describe('parsePlanFile refusals', () => {
  it('not JSON', () => {
    const [d] = refusal(serializePlanFile(updatesPlan()).slice(0, 300));
    expect(d!.summary).toBe('Plan file is not JSON');
    expect(d!.detail).toMatch(/^out\/plan\.json could not be read as JSON \(.+\)\. .*cut short/);
    expect(d!.detail).toContain('meshctl plan --out FILE');
  });

  it.each([
    ['a list', '[]', ''],
    ['another format', '{"format":"something-else"}', ''],
    ['the JSON view', JSON.stringify({ format_version: '1.0', resource_changes: [] }), 'It looks like the JSON view of a plan (`meshctl show --json`)'],
    ['Terraform output', JSON.stringify({ format_version: '1.2', terraform_version: '1.9.0' }), 'It looks like Terraform output.'],
    ['a state file', JSON.stringify({ version: 1, lineage: 'x', serial: 3, objects: {} }), 'It looks like a meshctl state file.'],
  ])('not a meshctl plan: %s', (_, text, hint) => {
    const [d] = refusal(text);
    expect(d!.summary).toBe('Not a meshctl plan file');
    expect(d!.detail).toContain('out/plan.json is JSON, but not a plan written by `meshctl plan --out` (it has no "format": "meshctl-plan").');
    expect(d!.detail).toContain(hint);
  });

  it('a newer format names the meshctl that wrote it', () => {
    const [d] = refusal(edited((e) => ((e['format_version'] = 3), (e['meshctl_version'] = '0.4.1')), { keepDigest: true }));
    expect(d!.summary).toBe('Plan file is from a newer meshctl');
    expect(d!.detail).toBe(
      'out/plan.json was written by meshctl 0.4.1 in plan file format 3; this meshctl reads format 2 and older. Apply it with meshctl 0.4.1 or newer, or make a new plan with this meshctl.',
    );
    const [unknownWriter] = refusal(edited((e) => ((e['format_version'] = 4), delete e['meshctl_version'])));
    expect(unknownWriter!.detail).toContain('written by an unknown meshctl version in plan file format 4');
  });

  it('an older format (before plans listed their steps) asks for a new plan, naming the writer', () => {
    const [d] = refusal(edited((e) => ((e['format_version'] = 1), (e['meshctl_version'] = '0.1.0')), { keepDigest: true }));
    expect(d!.summary).toBe('Plan file is from an older meshctl');
    expect(d!.detail).toBe(
      'out/plan.json was written by meshctl 0.1.0 in plan file format 1; this meshctl writes and applies format 2, whose plans also list every wait and step apply makes. Make a new one with `meshctl plan --out FILE`.',
    );
  });

  it.each([
    ['a format_version that is not a version', (e: Record<string, any>) => (e['format_version'] = '1'), 'format_version is wrong: expected 2, found "1"'],
    ['no plan', (e: Record<string, any>) => delete e['plan'], 'plan is wrong: missing'],
    [
      'an unknown action',
      (e: Record<string, any>) => (e['plan'].changes[2].action = 'recreate'),
      'plan.changes[2].action is wrong: expected one of "create", "update", "delete", "forget", "replace", "noop", found "recreate"',
    ],
    ['a serial that is not a count', (e: Record<string, any>) => (e['plan'].state.serial = -1), 'plan.state.serial is wrong: expected a whole number, found -1'],
    [
      'a unit naming a missing change',
      (e: Record<string, any>) => e['plan'].changes.splice(0, 1),
      'plan.units[0].steps[0].addresses[0] is wrong: names cluster1/Namespace/_/istio-system, which is not among plan.changes',
    ],
    ['a wave naming a missing unit', (e: Record<string, any>) => e['plan'].waves.push(['cluster9/namespace']), 'names unit cluster9/namespace, which is not among plan.units'],
    ['a summary that disagrees', (e: Record<string, any>) => (e['plan'].summary.change = 0), 'plan.summary is wrong: does not agree with plan.changes'],
    ['a plan that is not an object', (e: Record<string, any>) => (e['plan'] = 'plan'), 'plan is wrong: expected an object'],
  ])('damaged: %s', (_, edit, message) => {
    const diags = refusal(edited(edit));
    expect(diags[0]!.summary).toBe('Plan file is damaged');
    expect(diags.map((d) => d.detail).join('\n')).toContain(message);
    expect(diags[0]!.detail).toContain('This meshctl wrote no such file; it was damaged or edited. Make a new one with `meshctl plan --out FILE`.');
  });

  it('damaged: an edit the digest catches', () => {
    const [d] = refusal(edited((e) => (e['plan'].changes[0].after.metadata.labels['topology.istio.io/network'] = 'network9'), { keepDigest: true }));
    expect(d!.summary).toBe('Plan file is damaged');
    expect(d!.detail).toContain('does not match the digest meshctl wrote with it');
  });

  it('lists at most five shape problems', () => {
    const diags = refusal(edited((e) => e['plan'].changes.forEach((c: Record<string, unknown>) => (c['action'] = 'x'))));
    expect(diags).toHaveLength(5);
  });
});
