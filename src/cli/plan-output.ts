// Writing a plan in the representation asked for: human (default), JSON, or Markdown for a
// pull-request comment. Views compute nothing; this only picks one.
import type { Plan } from '../planner/plan.js';
import { planToJson } from '../views/plan-json.js';
import { renderPlanMarkdown } from '../views/plan-markdown.js';
import { renderPlanHuman } from '../views/plan-human.js';
import type { PlanFormat } from './options.js';

/** `statePath`: where the state was looked for (absent for a saved plan shown later). */
export function renderPlan(plan: Plan, opts: { format: PlanFormat; color: boolean; planFile?: string; statePath?: string }): string {
  switch (opts.format) {
    case 'json':
      return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
    case 'markdown':
      return renderPlanMarkdown(plan, { planFile: opts.planFile, statePath: opts.statePath });
    case 'human':
      return renderPlanHuman(plan, { color: opts.color, statePath: opts.statePath });
  }
}
