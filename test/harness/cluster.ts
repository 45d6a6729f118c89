// One local cluster: etcd, kube-apiserver and kube-controller-manager with their own PKI in one
// directory. Stopping it stops the processes (controller-manager first, etcd last).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApiServer } from './apiserver.js';
import { startControllerManager } from './controller-manager.js';
import { startEtcd } from './etcd.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createClusterPki, type ClusterPki } from './pki.js';
import type { ManagedProcess } from './processes.js';
import { get, waitUntilReady } from './readiness.js';

export interface Cluster {
  /** Also the kubeconfig context name: cluster1, cluster2, ... */
  name: string;
  server: string;
  dir: string;
  pki: ClusterPki;
  /** In start order: etcd, kube-apiserver, kube-controller-manager. */
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

async function stopAll(processes: ManagedProcess[]): Promise<void> {
  for (const p of [...processes].reverse()) await p.stop();
}

export async function startCluster(options: { binDir: string; dir: string; name: string; egressTrapSocket: string }): Promise<Cluster> {
  const { binDir, name } = options;
  const dir = join(options.dir, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const processes: ManagedProcess[] = [];
  try {
    const [pki, etcd] = await Promise.all([createClusterPki({ dir, clusterName: name }), startEtcd({ binDir, dir, clusterName: name })]);
    processes.push(etcd.process);
    const apiserver = await startApiServer({ binDir, dir, clusterName: name, etcdUrl: etcd.url, pki, egressTrapSocket: options.egressTrapSocket });
    processes.push(apiserver.process);
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, [{ name, server: apiserver.url, pki }]);
    const kcm = startControllerManager({ binDir, dir, clusterName: name, kubeconfigPath, pki });
    processes.push(kcm);
    // The serviceaccount controller creating default/default proves the controller-manager is
    // connected and running its loops; only then are token Secrets and namespace deletion live.
    const [ca, cert, key] = await Promise.all([pki.ca.cert, pki.admin.cert, pki.admin.key].map((p) => readFile(p, 'utf8')));
    await waitUntilReady({
      what: `${name} kube-controller-manager (ServiceAccount default/default)`,
      process: kcm,
      check: async () => (await get(`${apiserver.url}/api/v1/namespaces/default/serviceaccounts/default`, { ca, cert, key })).status === 200,
    });
    return { name, server: apiserver.url, dir, pki, processes, stop: () => stopAll(processes) };
  } catch (err) {
    await stopAll(processes);
    throw err;
  }
}
