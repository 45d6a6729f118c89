// vitest globalSetup of the `e2e` project: builds (or finds cached) the real binaries, starts
// the local clusters and the simulator once for the whole run, and hands their coordinates to
// the tests (see e2e.ts). Any failure throws: e2e tests must fail loudly, never skip.
import type { TestProject } from 'vitest/node';
import { ensureBins } from './bins.js';
import { startEnvironment } from './environment.js';
import { SIMULATOR_OFF_ENV, effectsOff } from './simulator.js';
// Type-only: bring in the ProvidedContext declarations that check the keys and values below.
import type {} from './e2e.js';
import type {} from './istiod/e2e.js';

function clusterCount(): number {
  const raw = process.env.MESHCTL_E2E_CLUSTERS ?? '4';
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 2) {
    throw new Error(`MESHCTL_E2E_CLUSTERS must be an integer >= 2, got "${raw}"`);
  }
  return count;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const count = clusterCount();
  const simulatorEffects = effectsOff(process.env[SIMULATOR_OFF_ENV]);
  const binDir = await ensureBins({ onProgress: (line) => process.stderr.write(`${line}\n`) });
  const started = Date.now();
  const env = await startEnvironment({ binDir, count, simulatorEffects });
  process.stderr.write(`[e2e] ${count} clusters up in ${Date.now() - started} ms; kubeconfig ${env.info.kubeconfigPath}\n`);
  if (env.istiod) process.stderr.write(`[e2e] real istiods (pilot-discovery) for the run; state ${env.istiod.stateFile}\n`);
  project.provide('meshctlE2E', env.info);
  project.provide('meshctlIstiod', env.istiod ? { stateFile: env.istiod.stateFile } : null);
  process.env.MESHCTL_E2E_KUBECONFIG = env.info.kubeconfigPath;
  process.env.MESHCTL_BIN_DIR = binDir;
  return async () => {
    await env.stop();
  };
}
