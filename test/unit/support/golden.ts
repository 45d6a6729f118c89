// Text goldens, compared byte for byte. UPDATE_GOLDEN=1 rewrites them, and the rewritten file
// is reviewed before it is committed (the review is the test). A golden that does not exist
// fails: a new case passes only once its expected file is written and reviewed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export function expectGoldenFile(dir: string, name: string, text: string): void {
  const file = join(dir, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, text);
  expect(existsSync(file), `${name} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
