// `meshctl plan` end to end through main(), against an in-memory cluster: what it prints, its
// exit codes, and that it changes nothing anywhere.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveAddresses, meshctl, stateOnDisk, world } from './cli-harness.js';

describe('meshctl plan', () => {
  it('prints what apply would create, per cluster, and changes nothing', async () => {
    const w = world();
    const r = await meshctl(w, ['plan']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('meshctl will perform the following actions:');
    expect(r.out).toContain('cluster cluster1:');
    expect(r.out).toContain('# cluster1/control-plane');
    expect(r.out).toContain('+ Deployment.apps istio-system/istiod');
    expect(r.out).toContain('Plan: 6 to add, 0 to change, 0 to destroy.');
    expect(w.cluster.applies).toBe(0);
    expect(stateOnDisk(w)).toBeNull();
  });

  it('--detailed-exitcode exits 2 when there are changes and 0 when there are none', async () => {
    const w = world();
    expect((await meshctl(w, ['plan', '--detailed-exitcode'])).code).toBe(2);
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const r = await meshctl(w, ['plan', '--detailed-exitcode']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('No changes. The mesh matches mesh.yaml.\n');
  });

  it('--out into a directory that does not exist is a clear error, not an internal one', async () => {
    const w = world();
    const r = await meshctl(w, ['plan', '--out', 'no-such-dir/plan.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Cannot save the plan');
    expect(r.err).toContain(`Writing ${join(w.dir, 'no-such-dir/plan.json')}: the directory ${join(w.dir, 'no-such-dir')} does not exist. Nothing was applied; choose another --out.`);
    expect(r.err).not.toContain('internal error');
  });

  it('--out saves the plan and says how to apply exactly it', async () => {
    const w = world();
    const r = await meshctl(w, ['plan', '--out', 'plan.json']);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(w.dir, 'plan.json'))).toBe(true);
    expect(r.out).toContain(`Saved the plan to ${join(w.dir, 'plan.json')}. To apply exactly it: meshctl apply plan.json`);
  });

  it('--json prints the plan as one JSON document', async () => {
    const w = world();
    const r = await meshctl(w, ['plan', '--json']);
    expect(r.code, r.err).toBe(0);
    const plan = JSON.parse(r.out) as { resource_changes: { address: string }[] };
    expect(plan.resource_changes.map((c) => c.address)).toContain('cluster1/Deployment.apps/istio-system/istiod');
  });

  it('--destroy plans taking down what apply made', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    const r = await meshctl(w, ['plan', '--destroy', '--detailed-exitcode']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('meshctl will perform the following actions to destroy the mesh:');
    expect(r.out).toContain('Plan: 0 to add, 0 to change, 6 to destroy.');
    expect(liveAddresses(w)).toHaveLength(6);
  });

  it('--destroy without a state says there is none, naming where it looked, rather than that the mesh matches', async () => {
    const w = world();
    const r = await meshctl(w, ['plan', '--destroy', '--detailed-exitcode']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`No state. There is no state file at ${w.stateFile}, so there is nothing meshctl made to destroy.\n`);
    const md = await meshctl(w, ['plan', '--destroy', '--format', 'markdown']);
    expect(md.out).toContain(`**No state.** There is no state file at ${w.stateFile}`);
    expect(md.out).not.toContain('matches mesh.yaml');
  });

  it('--refresh-only after an apply reports no drift, then the drift made outside meshctl', async () => {
    const w = world();
    expect((await meshctl(w, ['apply', '--verify=false', '--auto-approve'])).code).toBe(0);
    expect((await meshctl(w, ['plan', '--refresh-only'])).out).toContain('No drift.');
    w.cluster.objects.delete('cluster1/Deployment.apps/istio-system/istiod');
    const r = await meshctl(w, ['plan', '--refresh-only', '--detailed-exitcode']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('meshctl found these changes made outside meshctl since the last apply:');
  });
});
