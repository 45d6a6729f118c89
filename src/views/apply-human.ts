// Apply progress for people, one line per event, in the words Terraform users know:
// "cluster1/control-plane: Creating...", "Still waiting for ... [20s elapsed]".
import type { ApplyEvent } from '../executors/events.js';
import type { Action, PlanSummary } from '../planner/plan.js';

const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

/** What was done to one object; forget: it stays, only meshctl's fields came off. */
const done: Readonly<Record<Action, string>> = { create: 'Created', update: 'Updated', delete: 'Destroyed', forget: 'Released', replace: 'Replaced', noop: 'Unchanged' };

export function renderEventHuman(e: ApplyEvent): string {
  switch (e.type) {
    case 'unit-start':
      // Terraform's words: "Destroying..." for what is taken down.
      return `${e.unit}: ${e.removal ? 'Destroying...' : 'Applying...'}`;
    case 'object-done':
      return `${e.unit}: ${done[e.action]} ${e.address.split('/').slice(1).join('/')}`;
    case 'wait-progress':
      return `${e.unit}: Still waiting for ${e.what}... [${secs(e.elapsedMs)} elapsed]`;
    case 'wait-done':
      return `${e.unit}: Ready: ${e.what} [${secs(e.elapsedMs)}]`;
    case 'unit-done':
      return `${e.unit}: Complete after ${secs(e.elapsedMs)}`;
    case 'unit-failed':
      return `${e.unit}: Failed: ${e.message}`;
    case 'unit-skipped':
      return `${e.unit}: Skipped (depends on ${e.because}, which did not complete)`;
  }
}

/** The last line of a finished apply or destroy: what was done, in Terraform's words. */
export function completionText(s: PlanSummary, operation: 'apply' | 'destroy'): string {
  // Released: objects meshctl found in place keep existing; only meshctl's fields came off.
  const released = s.forget;
  if (operation === 'destroy') return `Destroy complete! Resources: ${s.destroy} destroyed, ${released} released.`;
  return `Apply complete! Resources: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed${released ? `, ${released} released` : ''}.`;
}
