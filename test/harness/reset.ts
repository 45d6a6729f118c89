// Back to clusters without Istio, between e2e files and between bench runs: a file that failed
// half-way must not make the next one fail, and a measured apply must start from nothing.
// Deletes what an Istio install leaves (istio-system, Istio's CRDs, webhooks, cluster RBAC,
// istiod's root-cert and CRL ConfigMaps) and waits until it is gone.
import { kubectl, type Kubectl } from './kubectl.js';

const CLUSTER_SCOPED = 'mutatingwebhookconfigurations,validatingwebhookconfigurations,clusterroles,clusterrolebindings,customresourcedefinitions';

/** Resets the clusters, four at a time. */
export async function resetClusters(k: Kubectl, contexts: readonly string[]): Promise<void> {
  // istio-system first in every cluster: until a primary's is gone, its simulated istiod writes
  // root-cert ConfigMaps into the remotes it controls again.
  const crds = new Map<string, string[]>();
  await eachCluster(contexts, async (ctx) => void crds.set(ctx, await removeIstio(k, ctx)));
  await eachCluster(contexts, async (ctx) => {
    for (const name of ['istio-ca-root-cert', 'istio-ca-crl']) {
      await kubectl(k, ctx, ['delete', 'configmap', '--all-namespaces', `--field-selector=metadata.name=${name}`, '--ignore-not-found']);
    }
    const deleted = crds.get(ctx) ?? [];
    if (deleted.length) await waitCrdsGone(k, ctx, deleted);
  });
}

async function eachCluster(contexts: readonly string[], f: (ctx: string) => Promise<void>): Promise<void> {
  const queue = [...contexts];
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      for (let ctx = queue.shift(); ctx; ctx = queue.shift()) await f(ctx);
    }),
  );
}

/** Deletes Istio's cluster-scoped objects and istio-system, waits for the namespace to be gone; returns the CRDs deleted. */
async function removeIstio(k: Kubectl, ctx: string): Promise<string[]> {
  const names = (await kubectl(k, ctx, ['get', CLUSTER_SCOPED, '-o', 'name'])).split('\n').filter((n) => {
    const name = n.split('/')[1] ?? '';
    return n.startsWith('customresourcedefinition') ? name.endsWith('.istio.io') : name.includes('istio');
  });
  if (names.length) await kubectl(k, ctx, ['delete', '--ignore-not-found', '--wait=false', ...names]);
  await kubectl(k, ctx, ['delete', 'namespace', 'istio-system', '--ignore-not-found', '--timeout=300s']);
  return names.filter((n) => n.startsWith('customresourcedefinition'));
}

/**
 * Waits for deleted CRDs to be gone. A CRD is gone only after its custom resources are: an
 * install that starts while Istio's CRDs are still terminating sees them "exist", skips creating
 * them, and then waits for CRDs that vanish (istioctl: 'resources not ready after 5m0s').
 *
 * Kubernetes 1.35's CRD finalizer can stall for minutes on a CRD deleted soon after it was
 * created; touching a CRD that is still there queues it again (docs/architecture.md, "Apply,
 * interrupted apply, destroy").
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
    await kubectl(k, ctx, ['annotate', '--overwrite', ...left, `harness.meshctl.test/finalizer-wake=${round}`]).catch(() => undefined);
  }
}
