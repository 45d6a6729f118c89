// vitest setup file of the e2e project: when a test fails, the logs of the real istiods it ran
// against are printed with it (the last lines of each process's log, and any Deployment the
// runner refused to run and why), so a failure that is istiod's says so.
import { beforeEach, inject } from 'vitest';
import { istiodLogs, readRunnerState } from './state.js';
import type {} from './e2e.js';

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    const runner = inject('meshctlIstiod');
    if (!runner) return;
    try {
      console.error(`istiod logs (runner state ${runner.stateFile}):\n${istiodLogs(readRunnerState(runner.stateFile))}`);
    } catch (e) {
      console.error(`istiod logs unavailable: ${(e as Error).message}`);
    }
  });
});
