// What wakes a cluster's pass: metadata-only watches of every kind a pass reads. An event only
// says "look again": the pass reads what it needs.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

const WATCHED = ['/api/v1/namespaces', '/api/v1/services', '/apis/apps/v1/deployments', '/apis/apps/v1/replicasets'];
// Metadata is enough to know that something changed, and far smaller than Deployments or
// Secrets in full.
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** Calls `onChange` on every watch event of `WATCHED` in one cluster; returns a stop function. */
export function watchChanges(kc: KubeConfig, onChange: () => void): () => void {
  let stopped = false;
  const open = new Set<{ destroy(): void }>();
  const watch = async (path: string) => {
    if (stopped) return;
    const url = new URL(`${kc.getCurrentCluster()!.server}${path}`);
    url.searchParams.set('watch', 'true');
    url.searchParams.set('timeoutSeconds', '300');
    const options: RequestOptions = { headers: { Accept: METADATA_ONLY } };
    await kc.applyToHTTPSOptions(options);
    if (stopped) return;
    let reopened = false;
    // However it ends (server timeout, error, API server restarting), watch again a second later
    // and look once: events between two watches are not replayed.
    const reopen = () => {
      if (reopened) return;
      reopened = true;
      open.delete(req);
      if (!stopped)
        setTimeout(() => {
          onChange();
          void watch(path);
        }, 1000).unref();
    };
    const req = httpsRequest(url, options, (res) => {
      if (res.statusCode === 200) res.on('data', onChange);
      else res.resume();
      res.on('error', reopen).on('end', reopen).on('close', reopen);
    });
    req.on('error', reopen).on('close', reopen).end();
    open.add(req);
  };
  for (const path of WATCHED) void watch(path).catch(() => undefined);
  return () => {
    stopped = true;
    for (const req of open) req.destroy();
  };
}
