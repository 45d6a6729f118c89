// The closed lists (actions, reasons, unit kinds, wait kinds, steps) are defined once in the
// code; schemas/plan.schema.json spells them out for readers of `show --json`. These checks
// fail when a new member is added to one and not the other, so neither a JSON view that the
// schema refuses nor a schema that documents members that do not exist can ship.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UNIT_KINDS, WAIT_KINDS } from '../../../src/model/desired.js';
import { ACTIONS, PLAN_MODES, REASONS, STEP_KINDS } from '../../../src/planner/plan.js';
import { jsonActions, jsonReason } from '../../../src/views/plan-json.js';

type Json = Record<string, any>;
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../schemas/plan.schema.json', import.meta.url)), 'utf8')) as Json;
const defs = schema['$defs'] as Json;

const sorted = (xs: readonly string[]) => [...xs].sort();
/** The `kind` const or enum of each branch of a oneOf. */
const branchValues = (oneOf: Json[], key: string) => oneOf.flatMap((b) => (b.properties[key].const !== undefined ? [b.properties[key].const] : b.properties[key].enum));

describe('closed lists and the plan JSON schema', () => {
  it('actions: every action has a JSON name, and the schema lists exactly those', () => {
    expect(sorted(defs.change.properties.actions.items.enum)).toEqual(sorted([...new Set(ACTIONS.flatMap((a) => jsonActions[a]))]));
  });

  it('reasons: every reason has a JSON name, and the schema lists exactly those', () => {
    expect(sorted(defs.resourceChange.properties.action_reason.enum)).toEqual(sorted(REASONS.map((r) => jsonReason[r])));
  });

  it("unit kinds, wait kinds, step kinds and modes are the code's", () => {
    expect(sorted(defs.unit.properties.kind.enum)).toEqual(sorted(UNIT_KINDS));
    expect(sorted(branchValues(defs.wait.oneOf, 'kind'))).toEqual(sorted(WAIT_KINDS));
    expect(sorted(branchValues(defs.step.oneOf, 'step'))).toEqual(sorted(STEP_KINDS));
    expect(sorted(schema.properties.mode.enum)).toEqual(sorted(PLAN_MODES));
  });
});
