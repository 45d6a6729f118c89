// src/model must stay pure: no file system, network, processes, clock or randomness. A cheap
// textual guard so an accidental import shows up here rather than as a flaky golden.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../../src/model/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const forbidden = [/from 'node:/, /from '(fs|path|child_process|os|http|https)'/, /@kubernetes\/client-node/, /\bDate\b/, /Math\.random/, /process\./, /console\./];

describe('src/model is pure', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  it.each(files)('%s uses no I/O, clock or randomness', (file) => {
    const text = readFileSync(dir + file, 'utf8');
    expect(forbidden.filter((re) => re.test(text)).map(String)).toEqual([]);
  });
});
