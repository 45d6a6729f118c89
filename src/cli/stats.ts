// MESHCTL_STATS=1: when the process exits, one JSON line on stderr with the API requests sent
// (total and per cluster, discovery included; `retries` of them resent because the server asked
// with Retry-After), the TLS connections opened, the KiB of response
// bodies received, the wall time since start and the peak resident memory. For the benchmarks
// (bench/); off by default, no output change otherwise.
import { writeSync } from 'node:fs';
import type { ClusterClient } from '../kube/cluster-client.js';

const tracked: ClusterClient[] = [];
let installed = false;

export function trackClients(clients: Iterable<ClusterClient>, env: NodeJS.ProcessEnv): void {
  if (env['MESHCTL_STATS'] !== '1') return;
  tracked.push(...clients);
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    const perCluster: Record<string, number> = {};
    for (const c of tracked) perCluster[c.cluster] = (perCluster[c.cluster] ?? 0) + c.requests;
    const requests = Object.values(perCluster).reduce((a, b) => a + b, 0);
    const connections = tracked.reduce((n, c) => n + c.connections, 0);
    const retries = tracked.reduce((n, c) => n + c.retries, 0);
    const responseKiB = Math.round(tracked.reduce((n, c) => n + c.responseBytes, 0) / 1024);
    const line = { requests, retries, perCluster, connections, responseKiB, wallMs: Math.round(performance.now()), maxRssKiB: process.resourceUsage().maxRSS };
    writeSync(2, `MESHCTL_STATS ${JSON.stringify(line)}\n`);
  });
}
