// The human plan view against golden files, with colour off and on.
import { describe, expect, it } from 'vitest';
import { renderPlanHuman } from '../../../src/views/plan-human.js';
import { expectTextGolden } from './golden.js';
import { guideCreatePlan, knownAfterApplyPlan, noChangesPlan, refreshOnlyPlan, viewCases } from './plans.js';

describe('renderPlanHuman', () => {
  it.each(Object.keys(viewCases))('renders %s as its golden (no colour)', (name) => {
    expectTextGolden(`${name}.txt`, renderPlanHuman(viewCases[name]!(), { color: false }));
  });

  it.each(Object.keys(viewCases))('renders %s as its golden (colour)', (name) => {
    expectTextGolden(`${name}.color.txt`, renderPlanHuman(viewCases[name]!(), { color: true }));
  });

  it('colours nothing when colour is off, and only with the palette codes when on', () => {
    const plain = renderPlanHuman(guideCreatePlan(), { color: false });
    const colored = renderPlanHuman(guideCreatePlan(), { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('says there is no drift in refresh-only mode when there is none', () => {
    const plan = { ...noChangesPlan(), mode: 'refresh-only' as const };
    expect(renderPlanHuman(plan, { color: false })).toBe('No drift. The clusters match what meshctl last applied.\n');
  });

  it('ends with the summary line whatever the plan', () => {
    for (const make of [guideCreatePlan, refreshOnlyPlan, knownAfterApplyPlan]) {
      const plan = make();
      const s = plan.summary;
      expect(renderPlanHuman(plan, { color: false }).trimEnd().split('\n').at(-1)).toBe(`Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`);
    }
  });
});

describe('renderPlanHuman: reasons in words', () => {
  it('says an object left mesh.yaml only when it did (apply), not in a destroy', async () => {
    const { configMap, live, liveMap, planOf, stateAfterApply, unit } = await import('../support/mesh-fixtures.js');
    const before = unit({ objects: [configMap(), configMap('istio-extra')] });
    const plan = planOf({ units: [unit({ objects: [configMap()] })], live: liveMap('cluster1', [live(configMap()), live(configMap('istio-extra'))]), prior: stateAfterApply([before]) });
    expect(renderPlanHuman(plan, { color: false })).toContain('  - ConfigMap istio-system/istio-extra  (no longer in mesh.yaml)\n');
  });
});
