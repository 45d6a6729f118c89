// The pull-request comment: golden files per fixture, and the rules CI relies on (marker
// first, deletion warning on top, the size limit with its truncation note).
import { describe, expect, it } from 'vitest';
import { commentMarker, defaultMaxChars, renderPlanMarkdown } from '../../../src/views/plan-markdown.js';
import type { Plan } from '../../../src/planner/plan.js';
import { allPlans, createsPlan, deletionsPlan, destroyPlan, hugePlan, noChangesPlan, secrets, updatesPlan } from './fixtures.js';
import { expectGoldenText } from './golden.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const note = '… truncated: run `meshctl show plan.json` for the full plan.';

describe('renderPlanMarkdown', () => {
  it.each(Object.keys(allPlans))('%s: matches its golden file', (name) => {
    expectGoldenText(`${name}.md`, renderPlanMarkdown(allPlans[name]!()));
  });

  it.each(Object.keys(allPlans))('%s: starts with the marker, holds no secret and no digest of one', (name) => {
    const md = renderPlanMarkdown(allPlans[name]!());
    expect(md.split('\n')[0]).toBe(commentMarker(allPlans[name]!().mesh.meshID));
    for (const s of Object.values(secrets)) {
      expect(md).not.toContain(s);
      expect(md).not.toContain(Buffer.from(s).toString('base64'));
    }
    // Only mesh.yaml's digest (shortened, in the footer) may appear.
    expect(md.match(/sha256:[0-9a-f]+/g) ?? []).toEqual(['sha256:5d41402abc4b']);
  });

  it('says "No changes" and draws nothing for an empty plan', () => {
    const md = renderPlanMarkdown(noChangesPlan());
    expect(md).toContain('**No changes.** The mesh matches mesh.yaml.');
    expect(md).not.toContain('<details>');
    expect(md).not.toContain('mermaid');
    expect(md).not.toContain('[!WARNING]');
  });

  it('puts the deletion warning above the summary, listing every deleted address', () => {
    const md = renderPlanMarkdown(deletionsPlan());
    const warning = md.indexOf('> [!WARNING]');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(md.indexOf('**Plan: 0 to add, 0 to change, 3 to destroy, 1 to forget.**'));
    expect(md).toContain('> **This plan deletes 3 objects:**');
    for (const c of deletionsPlan().changes.filter((x) => x.action === 'delete')) expect(md).toContain(`> - \`${c.address}\``);
    // Giving fields back is not a deletion.
    expect(md).not.toContain('> - `cluster2/Namespace/_/istio-system`');
  });

  it('shows updates as unified diffs, unknowns as "(known after apply)" and rotated secrets by key', () => {
    const u = renderPlanMarkdown(updatesPlan());
    expect(u).toContain('~ Namespace istio-system  (changed outside meshctl)\n@@ -3,4 +3,4 @@');
    expect(u).toContain('-    topology.istio.io/network: network-typo\n+    topology.istio.io/network: network1');
    expect(u).toContain('~ Secret istio-system/cacerts  (mesh.yaml changed)\n~     /data/ca-key.pem: (sensitive value)');
    const c = renderPlanMarkdown(createsPlan());
    expect(c).toContain('+ ConfigMap istio-system/istio-remote-pilot\n+     /data/remotePilotAddress: (known after apply)');
  });

  it('draws the units with changes and the units they wait on, edges from dependency to dependant', () => {
    const md = renderPlanMarkdown(updatesPlan());
    const graph = md.slice(md.indexOf('```mermaid'), md.indexOf('```', md.indexOf('```mermaid') + 3));
    expect(graph).toContain('graph TD');
    expect(graph).toContain('n0["cluster1/namespace<br/>~1"]');
    expect(graph).toContain('n2["cluster1/control-plane<br/>~1"]');
    // namespace → control-plane is implied by namespace → cacerts → control-plane.
    expect(graph.match(/-->/g)).toHaveLength(2);
    expect(graph).not.toContain('cluster2');
  });

  it('truncates a huge plan below the limit, diffs first, with the note', () => {
    const p = hugePlan();
    const md = renderPlanMarkdown(p);
    expect(bytes(md)).toBeLessThanOrEqual(defaultMaxChars);
    expect(md).toContain(note);
    expect(md).toContain('Diffs are left out');
    expect(md).toContain('<details>');
    expect(md).not.toContain('@@');
    // The full render would not have fitted.
    expect(bytes(renderPlanMarkdown(p, { maxChars: 10_000_000 }))).toBeGreaterThan(defaultMaxChars);
  });

  it.each([
    [12_000, 'Diffs and the per-cluster sections are left out', true],
    [6_000, 'Diffs, the per-cluster sections, the table and the graph are left out', true],
    [2_500, 'Most of this plan is left out', false],
  ] as const)('under %i bytes leaves out more: %s', (maxChars, what, allDeletions) => {
    const p = hugePlan();
    const md = renderPlanMarkdown(p, { maxChars, planFile: 'out/mesh-plan.json' });
    expect(bytes(md)).toBeLessThanOrEqual(maxChars);
    expect(md).toContain('… truncated: run `meshctl show out/mesh-plan.json` for the full plan.');
    expect(md).toContain(what);
    expect(md).not.toContain('<details>');
    expect(md.split('\n')[0]).toBe('<!-- meshctl-plan:big-mesh -->');
    expect(md).toContain('**Plan: 0 to add, 15 to change, 30 to destroy.**');
    expect(md).toContain('> **This plan deletes 30 objects:**');
    expect(md.includes('and 0 more') || md.includes('cluster-15/Namespace/_/istio-system')).toBe(allDeletions);
  });

  it('keeps fitting for every limit down to the minimal comment', () => {
    const p = hugePlan();
    for (let max = 1_200; max <= 70_000; max += 997) {
      const md = renderPlanMarkdown(p, { maxChars: max });
      expect(bytes(md), `maxChars ${max}`).toBeLessThanOrEqual(max);
      expect(md).toContain('30 objects');
    }
  });

  it('refuses a limit too small for any comment', () => {
    expect(() => renderPlanMarkdown(hugePlan(), { maxChars: 200 })).toThrow(RangeError);
  });

  it('lists deleted objects without the reason in a destroy', () => {
    const md = renderPlanMarkdown(destroyPlan());
    expect(md).toContain('### meshctl destroy plan for mesh `mesh1`');
    expect(md).toContain('> - `cluster1/Namespace/_/istio-system`\n');
    expect(md).not.toContain('no longer in mesh.yaml');
  });

  it('keeps fences and HTML intact whatever the content', () => {
    const p = updatesPlan();
    const evil: Plan = {
      ...p,
      changes: p.changes.map((c) => (c.diff ? { ...c, diff: `${c.diff}\n+ \`\`\`\`\n+ </details><script>` } : c)),
      units: p.units.map((u) => (u.cluster === 'cluster1' ? { ...u, cluster: 'cluster1<b>' } : u)),
    };
    const md = renderPlanMarkdown(evil);
    expect(md).toContain('`````diff');
    expect(md).toContain('<summary><b>cluster1&lt;b&gt;</b>');
    expect(commentMarker('a-->b')).toBe('<!-- meshctl-plan:a__b -->');
  });
});
