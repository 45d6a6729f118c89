// What e2e tests use to reach the local clusters that test/harness/global-setup.ts started:
//
//   const env = e2eEnvironment();          // kubeconfigPath, contexts, binDir, clusters[]
//   const kc = kubeConfig('cluster2');     // a ready @kubernetes/client-node KubeConfig
//   const istioctl = binPath('istioctl');
//
// The same information is in the environment for child processes (meshctl itself, kubectl):
// MESHCTL_E2E_KUBECONFIG and MESHCTL_BIN_DIR.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigForContext, type EnvironmentInfo } from './environment.js';
import type { Kubectl } from './kubectl.js';

export type E2EInfo = EnvironmentInfo;
export { SIMULATOR_OFF_ANNOTATION, isDeploymentAvailable } from './simulator.js';

// The global setup publishes EnvironmentInfo under this vitest `provide` key.
declare module 'vitest' {
  export interface ProvidedContext {
    meshctlE2E: EnvironmentInfo;
  }
}

export function e2eEnvironment(): E2EInfo {
  const info = inject('meshctlE2E');
  if (!info) {
    throw new Error('No local clusters: run e2e tests through the vitest project "e2e" (its globalSetup starts them).');
  }
  return info;
}

/** A KubeConfig for one context (cluster1..clusterN) of the shared kubeconfig. */
export function kubeConfig(context: string): KubeConfig {
  const env = e2eEnvironment();
  if (!env.contexts.includes(context)) throw new Error(`No context "${context}"; have ${env.contexts.join(', ')}`);
  return kubeConfigForContext(env.kubeconfigPath, context);
}

/** Absolute path of one of the built binaries (kubectl, istioctl, ...). */
export function binPath(name: string): string {
  return join(e2eEnvironment().binDir, name);
}

/** The built kubectl with the shared kubeconfig (for kubectl() and resetClusters()). */
export function e2eKubectl(): Kubectl {
  return { binary: binPath('kubectl'), kubeconfig: e2eEnvironment().kubeconfigPath };
}

/** A DNS-1123 name unique to this run, so tests never collide on shared clusters. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Polls `probe` until it returns something other than undefined, and returns that. Throws after
 * `timeoutMs` with `what` and the last error, so a stuck wait says what it was waiting for.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
