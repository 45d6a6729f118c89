// `meshctl apply` and `meshctl destroy` end to end through main(), against an in-memory cluster:
// what a user sees on the terminal, what the cluster holds afterwards, and the state file.
import { describe, expect, it } from 'vitest';
import { liveAddresses, meshctl, stateOnDisk, world, type World } from './cli-harness.js';

const istiod = 'cluster1/Deployment.apps/istio-system/istiod';
const namespace = 'cluster1/Namespace/_/istio-system';

async function applied(): Promise<World> {
  const w = world();
  const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
  expect(r.code, r.err).toBe(0);
  return w;
}

describe('meshctl apply', () => {
  it('with --auto-approve creates the objects in the cluster and writes the state', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('meshctl will perform the following actions');
    expect(r.out).toContain('\nApply complete! Resources: 6 added, 0 changed, 0 destroyed.\n');
    expect(r.out).toContain(`State saved to ${w.stateFile}`);
    expect(liveAddresses(w)).toEqual(expect.arrayContaining([istiod, namespace]));
    const state = stateOnDisk(w)!;
    expect(state.objects).toEqual(liveAddresses(w));
    expect(state.serial).toBeGreaterThan(0);
  });

  it('a second apply has nothing to do: no question, "No changes", and the state file is not touched', async () => {
    const w = await applied();
    const before = stateOnDisk(w);
    const applies = w.cluster.applies;
    // No --auto-approve and no terminal: an apply with changes would refuse here.
    const r = await meshctl(w, ['apply', '--verify=false']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No changes.');
    expect(r.out).not.toContain('Apply complete');
    expect(r.err).toBe('');
    expect(stateOnDisk(w)).toEqual(before);
    expect(w.cluster.applies).toBe(applies);
  });

  it('without approval and without a terminal refuses, naming the ways to approve, and changes nothing', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--verify=false']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: No approval');
    expect(r.err).toContain('there is no terminal to ask on');
    expect(r.err).toContain('--auto-approve');
    expect(r.err).not.toContain('internal error');
    expect(liveAddresses(w)).toEqual([]);
    expect(stateOnDisk(w)).toBeNull();
  });

  it('on a terminal applies after "yes" and cancels on anything else', async () => {
    const w = world();
    const no = await meshctl(w, ['apply', '--verify=false'], { tty: true, answer: 'y' });
    expect(no.code).toBe(1);
    expect(no.out).toContain("Only 'yes' will be accepted");
    expect(no.out).toContain('Apply cancelled.');
    expect(liveAddresses(w)).toEqual([]);
    const yes = await meshctl(w, ['apply', '--verify=false'], { tty: true, answer: 'yes' });
    expect(yes.code, yes.err).toBe(0);
    expect(yes.out).toContain('Apply complete!');
    expect(liveAddresses(w)).toContain(istiod);
  });

  it('applies a saved plan without asking', async () => {
    const w = world();
    expect((await meshctl(w, ['plan', '--out', 'plan.json'])).code).toBe(0);
    const r = await meshctl(w, ['apply', '--verify=false', 'plan.json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Apply complete! Resources: 6 added');
    expect(liveAddresses(w)).toContain(istiod);
  });

  it('refuses a saved plan made before the first apply, and changes nothing', async () => {
    const w = world();
    expect((await meshctl(w, ['plan', '--out', 'plan.json'])).code).toBe(0);
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const before = stateOnDisk(w);
    const applies = w.cluster.applies;
    const r = await meshctl(w, ['apply', '--verify=false', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: State created since the plan');
    expect(r.err).toContain('Run `meshctl plan` again');
    expect(stateOnDisk(w)).toEqual(before);
    expect(w.cluster.applies).toBe(applies);
  });

  it('refuses a saved plan once another apply moved the state on', async () => {
    const w = await applied();
    w.cluster.objects.delete(istiod);
    expect((await meshctl(w, ['plan', '--out', 'repair.json'])).code).toBe(0);
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const before = stateOnDisk(w);
    const r = await meshctl(w, ['apply', '--verify=false', 'repair.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Saved plan is stale');
    expect(stateOnDisk(w)).toEqual(before);
  });

  it('keeps a saved plan valid across an apply that had nothing to do', async () => {
    const w = await applied();
    expect((await meshctl(w, ['plan', '--out', 'plan.json'])).code).toBe(0);
    expect((await meshctl(w, ['apply', '--verify=false'])).code).toBe(0);
    const r = await meshctl(w, ['apply', '--verify=false', 'plan.json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('No changes.');
  });

  it('--json streams one JSON object per line, ending with the same summary the terminal shows', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--verify=false', '--auto-approve', '--json']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'version', ui: '1.1' });
    expect(lines.at(-1)).toMatchObject({
      type: 'change_summary',
      '@message': 'Apply complete! Resources: 6 added, 0 changed, 0 destroyed.',
      '@timestamp': '2026-01-02T03:04:05.000Z',
      changes: { add: 6, change: 0, remove: 0, forget: 0, operation: 'apply' },
    });
  });
});

describe('meshctl destroy', () => {
  it('takes down what apply made and says how many objects it destroyed and released', async () => {
    const w = await applied();
    const r = await meshctl(w, ['destroy', '--auto-approve']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('to destroy the mesh');
    expect(r.out).toContain('\nDestroy complete! Resources: 6 destroyed, 0 released.\n');
    expect(liveAddresses(w)).toEqual([]);
    expect(stateOnDisk(w)!.objects).toEqual([]);
  });

  it('leaves what was there before meshctl, and counts it as released', async () => {
    const w = world();
    w.cluster.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const r = await meshctl(w, ['destroy', '--auto-approve']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('\nDestroy complete! Resources: 5 destroyed, 1 released.\n');
    expect(liveAddresses(w)).toEqual([namespace]);
  });

  it('with no state says so, names the state file it looked for, and asks nothing', async () => {
    const w = world();
    const r = await meshctl(w, ['destroy']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`No state. There is no state file at ${w.stateFile}, so there is nothing meshctl made to destroy.`);
    expect(stateOnDisk(w)).toBeNull();
  });
});

describe('meshctl apply, then verify', () => {
  // The in-memory cluster runs no istiod: nothing patches the injection webhook's caBundle or
  // writes istio-ca-root-cert, so the applied mesh does not verify, which is what apply must say.
  it('runs verify at its end, prints the checks, and exits 1 naming what failed; the apply itself is saved', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--auto-approve', '--wait-timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('\nApply complete! Resources: 6 added, 0 changed, 0 destroyed.\n');
    expect(r.out).toContain('Verifying the mesh (meshctl verify):');
    expect(r.out).toContain('✗ reached');
    expect(r.err).toContain('Applied, but the mesh does not verify');
    expect(stateOnDisk(w)!.objects).toEqual(liveAddresses(w));
  });

  it('--verify=false skips the checks', async () => {
    const w = world();
    const r = await meshctl(w, ['apply', '--auto-approve', '--verify=false']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('Verifying the mesh');
  });

  it('meshctl verify alone exits 2 on the same mesh, and --json says which checks failed', async () => {
    const w = await applied();
    const human = await meshctl(w, ['verify']);
    expect(human.code).toBe(2);
    expect(human.out).toMatch(/Verify: \d+ passed, \d+ failed, \d+ warnings?\./);
    const json = await meshctl(w, ['verify', '--json']);
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.out) as { ok: boolean; checks: { check: string; status: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual(['reached']);
  });
});
