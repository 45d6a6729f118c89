// Back to clusters without Istio, between apply runs (what test/e2e/support/reset.ts does, with
// kubectl): istio-system, Istio's CRDs, webhooks, cluster RBAC and istiod's root-cert ConfigMaps.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Kubectl {
  readonly binary: string;
  readonly kubeconfig: string;
}

async function kubectl(k: Kubectl, ctx: string, args: readonly string[]): Promise<string> {
  const { stdout } = await exec(k.binary, ['--kubeconfig', k.kubeconfig, `--context=${ctx}`, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function resetCluster(k: Kubectl, ctx: string): Promise<void> {
  const kinds = 'mutatingwebhookconfigurations,validatingwebhookconfigurations,clusterroles,clusterrolebindings,customresourcedefinitions';
  const names = (await kubectl(k, ctx, ['get', kinds, '-o', 'name'])).split('\n').filter((n) => {
    const name = n.split('/')[1] ?? '';
    return n.startsWith('customresourcedefinition') ? name.endsWith('.istio.io') : name.includes('istio');
  });
  if (names.length) await kubectl(k, ctx, ['delete', '--ignore-not-found', '--wait=false', ...names]);
  await kubectl(k, ctx, ['delete', 'configmap', '--all-namespaces', '--field-selector=metadata.name=istio-ca-root-cert', '--ignore-not-found']);
  await kubectl(k, ctx, ['delete', 'namespace', 'istio-system', '--ignore-not-found', '--timeout=300s']);
  // A CRD is gone only after its custom resources are: an install that starts while Istio's
  // CRDs are still terminating sees them "exist", skips creating them, and then waits five
  // minutes for CRDs that vanish (istioctl: 'resources not ready after 5m0s').
  const crds = names.filter((n) => n.startsWith('customresourcedefinition'));
  if (crds.length) await kubectl(k, ctx, ['wait', '--for=delete', '--timeout=300s', ...crds]).catch((e: { stderr?: string }) => {
    if (!/not found/i.test(e.stderr ?? '')) throw e;
  });
}

/** Resets the clusters, four at a time. */
export async function resetClusters(k: Kubectl, contexts: readonly string[]): Promise<void> {
  const queue = [...contexts];
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      for (let ctx = queue.shift(); ctx; ctx = queue.shift()) await resetCluster(k, ctx);
    }),
  );
}
