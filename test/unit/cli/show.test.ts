// `meshctl show PLANFILE` through main(): a saved plan printed as the plan command printed it,
// or as JSON or Markdown, without touching a cluster.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshctl, world } from './cli-harness.js';

describe('meshctl show', () => {
  it('prints a saved plan as plan printed it, and reads no cluster', async () => {
    const w = world();
    const planned = await meshctl(w, ['plan', '--out', 'plan.json']);
    expect(planned.code, planned.err).toBe(0);
    const requests = w.cluster.requests;
    const r = await meshctl(w, ['show', 'plan.json']);
    expect(r.code, r.err).toBe(0);
    expect(planned.out.startsWith(r.out)).toBe(true);
    expect(r.out).toContain('Plan: 6 to add, 0 to change, 0 to destroy.');
    expect(w.cluster.requests).toBe(requests);
  });

  it('prints it as JSON and as a Markdown comment', async () => {
    const w = world();
    expect((await meshctl(w, ['plan', '--out', 'plan.json'])).code).toBe(0);
    const json = await meshctl(w, ['show', '--json', 'plan.json']);
    expect(json.code, json.err).toBe(0);
    expect((JSON.parse(json.out) as { resource_changes: unknown[] }).resource_changes).toHaveLength(6);
    const md = await meshctl(w, ['show', '--format', 'markdown', 'plan.json']);
    expect(md.code, md.err).toBe(0);
    expect(md.out).toContain('### meshctl plan for mesh `mesh1`');
    expect(md.out).toContain('**Plan: 6 to add, 0 to change, 0 to destroy.**');
  });

  it('refuses a file that is missing or is not a saved plan', async () => {
    const w = world();
    const missing = await meshctl(w, ['show', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Error: Cannot read plan file');
    expect(missing.err).toContain(join(w.dir, 'nope.json'));
    writeFileSync(join(w.dir, 'mesh.json'), '{"meshID": "mesh1"}');
    const other = await meshctl(w, ['show', 'mesh.json']);
    expect(other.code).toBe(1);
    expect(other.err).toContain('Error: Not a meshctl plan file');
  });
});
