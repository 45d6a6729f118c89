// Does a fresh plan do exactly what a saved plan said? `apply plan.json` re-plans against the
// world as it is and carries out the fresh plan only if every action matches the saved one
// (same objects, same actions, same values), so what was reviewed is what happens. Pure.
import type { Change, Plan } from './plan.js';

function acting(p: Plan): Map<string, Change> {
  return new Map(p.changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c]));
}

/** One line per difference; empty when the plans act alike. */
export function planMismatches(saved: Plan, fresh: Plan): string[] {
  const out: string[] = [];
  if (saved.mode !== fresh.mode) out.push(`the saved plan is a ${saved.mode} plan, not ${fresh.mode}`);
  const a = acting(saved);
  const b = acting(fresh);
  for (const [addr, c] of a) {
    const d = b.get(addr);
    if (!d) out.push(`${addr}: the plan would ${c.action} it, now nothing needs doing`);
    else if (d.action !== c.action) out.push(`${addr}: the plan would ${c.action} it, now it needs ${d.action}`);
    else if (JSON.stringify(d.after) !== JSON.stringify(c.after)) out.push(`${addr}: the values to ${c.action} differ from the saved plan`);
  }
  for (const [addr, d] of b) if (!a.has(addr)) out.push(`${addr}: now needs ${d.action}, which the saved plan does not include`);
  return out;
}
