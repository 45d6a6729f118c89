// N local clusters (cluster1..clusterN) started in parallel, with ONE kubeconfig holding a
// context per cluster. This is what the e2e global setup, the demo and `npm run clusters` use.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from './cluster.js';
import { onExitCleanup } from './exit-cleanup.js';
import { isAlive } from './processes.js';
import { startEgressTrap } from './egress-trap.js';
import { writeKubeconfig } from './kubeconfig.js';

export interface ClusterSet {
  /** Holds every cluster's files; removed by stop(). */
  dir: string;
  kubeconfigPath: string;
  /** What the API servers tried to dial off loopback and the egress trap refused, one line each. */
  egressLog: string;
  /** cluster1..clusterN, in order. */
  contexts: string[];
  clusters: Cluster[];
  stop(): Promise<void>;
}

export interface ClusterSetOptions {
  binDir: string;
  /** At least 1; meshctl's multi-cluster tests need 2 or more. */
  count: number;
  /** Parent for the set's temporary directory; default the OS temp dir. */
  parentDir?: string;
}

export const contextName = (index: number) => `cluster${index + 1}`;

const PREFIX = 'meshctl-clusters-';
const OWNER_FILE = 'owner.pid';

/**
 * Removes set directories whose owning process is gone. A SIGKILLed harness cannot clean up
 * after itself (its children still die, see processes.ts), so the next start does it.
 */
async function sweepAbandoned(parentDir: string): Promise<void> {
  for (const entry of await readdir(parentDir).catch(() => [] as string[])) {
    if (!entry.startsWith(PREFIX)) continue;
    const dir = join(parentDir, entry);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (owner > 0 && !isAlive(owner)) await rm(dir, { recursive: true, force: true });
  }
}

export async function startClusterSet(options: ClusterSetOptions): Promise<ClusterSet> {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new Error(`cluster count must be a positive integer, got ${options.count}`);
  }
  const parentDir = options.parentDir ?? tmpdir();
  await sweepAbandoned(parentDir);
  const dir = await mkdtemp(join(parentDir, PREFIX));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  const unregisterDir = onExitCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const names = Array.from({ length: options.count }, (_, i) => contextName(i));
  const egressLog = join(dir, 'egress-refused.log');
  const egressSocket = join(dir, 'egress.sock');
  const trap = await startEgressTrap({ logFile: egressLog, socketPath: egressSocket });
  // allSettled, not all: on failure every cluster that did start must still be stopped.
  const results = await Promise.allSettled(names.map((name) => startCluster({ binDir: options.binDir, dir, name, egressTrapSocket: egressSocket })));
  const clusters = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await trap.close();
    await rm(dir, { recursive: true, force: true });
    unregisterDir();
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length > 0) {
    await stop();
    throw new Error(`Could not start the local test clusters:\n${failures.join('\n')}`);
  }
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeKubeconfig(
    kubeconfigPath,
    clusters.map((c) => ({ name: c.name, server: c.server, pki: c.pki })),
  );
  return { dir, kubeconfigPath, egressLog, contexts: names, clusters, stop };
}
