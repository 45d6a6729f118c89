// The istiod runner for e2e tests. The global setup runs one for the whole run (every test has
// real istiods); with MESHCTL_ISTIOD=off it does not, and a test that needs real istiods starts
// its own for its duration with useIstiodRunner(). Either way the runner's directory is in the
// run's cluster-set directory, and its state file says where each istiod listens and logs.
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import { e2eEnvironment, kubeConfig, uniqueName } from '../e2e.js';
import { startIstiodRunner, type IstiodRunner } from './runner.js';
import { readRunnerState, type RunnerState } from './state.js';

export { ISTIOD_RUNNER_ENV } from './runner.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The global setup's runner, or null with MESHCTL_ISTIOD=off. */
    meshctlIstiod: { stateFile: string } | null;
  }
}

export interface IstiodRunnerHandle {
  stateFile: string;
  /** Whether this test started it (and stop() stops it), or it is the run's. */
  own: boolean;
  state(): RunnerState;
  stop(): Promise<void>;
}

/** The run's istiod runner if the global setup started one, else a new one over every cluster, this caller's to stop. */
export async function useIstiodRunner(): Promise<IstiodRunnerHandle> {
  const global = inject('meshctlIstiod');
  if (global) return { stateFile: global.stateFile, own: false, state: () => readRunnerState(global.stateFile), stop: async () => undefined };
  const env = e2eEnvironment();
  const runner: IstiodRunner = await startIstiodRunner({
    clusters: env.contexts.map((name) => ({ name, kubeConfig: kubeConfig(name) })),
    binDir: env.binDir,
    // The kubeconfig lives in the cluster set's directory, which teardown removes.
    dir: join(dirname(env.kubeconfigPath), uniqueName('istiod')),
  });
  return { stateFile: runner.stateFile, own: true, state: () => runner.state(), stop: () => runner.stop() };
}
