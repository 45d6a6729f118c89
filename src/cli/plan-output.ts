// Choosing and writing a plan's representation: human (default), JSON, or Markdown for a
// pull-request comment. Views compute nothing; this only picks one.
import type { Plan } from '../planner/plan.js';
import { planToJson } from '../views/plan-json.js';
import { renderPlanMarkdown } from '../views/plan-markdown.js';
import { renderPlanHuman } from '../views/plan-human.js';

export type PlanFormat = 'human' | 'json' | 'markdown';

export function planFormat(args: Record<string, unknown>): PlanFormat {
  if (args['json'] === true) return 'json';
  const f = args['format'];
  return f === 'json' || f === 'markdown' ? f : 'human';
}

export function renderPlan(plan: Plan, opts: { format: PlanFormat; color: boolean; planFile?: string }): string {
  switch (opts.format) {
    case 'json':
      return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
    case 'markdown':
      return renderPlanMarkdown(plan, opts.planFile ? { planFile: opts.planFile } : {});
    case 'human':
      return renderPlanHuman(plan, { color: opts.color });
  }
}

export const formatOptions = {
  json: { type: 'boolean', default: false, describe: 'Print the plan as JSON (schemas/plan.schema.json)' },
  format: { type: 'string', choices: ['human', 'json', 'markdown'], default: 'human', describe: 'Output format; markdown is for pull-request comments' },
} as const;
