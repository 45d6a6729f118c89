// The plan views, the plan file and the stale check are pure: no files, no clock, no console,
// no environment. A source scan keeps it that way.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const files = ['src/views/plan-json.ts', 'src/views/plan-markdown.ts', 'src/views/events-json.ts', 'src/planner/plan-file.ts', 'src/planner/stale.ts'];
const forbidden = [/from 'node:fs/, /from 'fs'/, /\bconsole\./, /\bDate\.now\b/, /new Date\(/, /\bprocess\./, /from '\.\.\/executors\/(?!events\.js)/, /from '\.\.\/kube\/cluster-client/];

describe('purity', () => {
  it.each(files)('%s reads no file, clock, console or environment', (f) => {
    const text = readFileSync(fileURLToPath(new URL(`../../../${f}`, import.meta.url)), 'utf8');
    for (const re of forbidden) expect(text, `${f} matches ${re}`).not.toMatch(re);
  });
});
