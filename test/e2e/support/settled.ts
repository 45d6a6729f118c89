// An apply a user would call done: it succeeds, the plan after it is empty, and verify passes.
// Its wall time goes to `timings`, which the upgrade tests print.
import { expect } from 'vitest';
import type { RunResult } from './meshctl.js';

export async function settledApply(run: (...args: string[]) => Promise<RunResult>, timings: string[], what: string, args: readonly string[] = ['--no-color']): Promise<RunResult> {
  const t0 = Date.now();
  const r = await run('apply', '--auto-approve', ...args);
  timings.push(`${what}: apply ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const again = await run('plan', '--detailed-exitcode', '--no-color');
  expect(again.code, again.stdout + again.stderr).toBe(0);
  const v = await run('verify', '--no-color');
  expect(v.code, v.stdout + v.stderr).toBe(0);
  return r;
}
