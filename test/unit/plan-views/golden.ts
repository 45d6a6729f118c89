// Golden files for the plan views: the exact text a view produces for a fixture plan.
// UPDATE_GOLDEN=1 rewrites them; review the diff before committing (the review is the test).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));

export function expectGoldenText(name: string, text: string): void {
  const file = dir + name;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(existsSync(file), `${name} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
