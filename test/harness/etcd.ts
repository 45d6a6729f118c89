// One etcd per cluster: cheap (docs/test-clusters.md), and it keeps clusters' revisions and
// compaction apart, so one cluster's load or teardown can never disturb another.
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './processes.js';
import { get, waitUntilReady } from './readiness.js';

export interface Etcd {
  url: string;
  process: ManagedProcess;
}

export async function startEtcd(options: { binDir: string; dir: string; clusterName: string }): Promise<Etcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const name = `etcd-${options.clusterName}`;
  const proc = startProcess({
    name: `${options.clusterName}/etcd`,
    command: join(options.binDir, 'etcd'),
    logFile: join(options.dir, 'etcd.log'),
    args: [
      `--name=${name}`,
      `--data-dir=${join(options.dir, 'etcd-data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${name}=${peer}`,
      // Test data is disposable; skipping fsync makes etcd fast on slow CI disks.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
  });
  await waitUntilReady({
    what: `${options.clusterName} etcd /health`,
    process: proc,
    check: async () => (await get(`${url}/health`)).body.includes('"health":"true"'),
  });
  return { url, process: proc };
}
