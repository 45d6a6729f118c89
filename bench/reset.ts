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
  if (crds.length) await waitCrdsGone(k, ctx, crds);
}

/**
 * Waits for deleted CRDs to be gone. Kubernetes 1.35's CRD finalizer can stall for minutes on a
 * CRD deleted seconds after it was created: its first list of the custom resources fails with
 * "storage is (re)initializing" (the resource's watch cache starts only with that first
 * request), the retry reads a stale CRD, gets a conflict, and drops the key until the informer
 * resyncs (seen here on every reset after a fresh apply, 2–4 minutes each; the same stall is
 * reported in operator-framework/operator-controller#1437). Touching a CRD that is still there
 * queues it for the finalizer again, and by then the watch cache is ready.
 */
async function waitCrdsGone(k: Kubectl, ctx: string, crds: readonly string[]): Promise<void> {
  for (let round = 1; ; round++) {
    try {
      await kubectl(k, ctx, ['wait', '--for=delete', '--timeout=10s', ...crds]);
      return;
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr ?? '';
      if (/not found/i.test(stderr) && !/timed out/i.test(stderr)) return;
      if (round >= 30) throw e;
    }
    const left = (await kubectl(k, ctx, ['get', '--ignore-not-found', '-o', 'name', ...crds])).split('\n').filter(Boolean);
    if (left.length === 0) return;
    await kubectl(k, ctx, ['annotate', '--overwrite', ...left, `bench.meshctl.test/finalizer-wake=${round}`]).catch(() => undefined);
  }
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
