// kube-controller-manager with only the controllers whose effects meshctl relies on and that
// need nothing beyond an API server: service-account token Secrets filled, `default`
// ServiceAccounts created, namespaces (and owned objects) actually deleted. The deployment and
// replicaset controllers stay off on purpose: no pods can run here, so the simulator writes
// those statuses instead (simulator.ts), and two writers would fight.
import { join } from 'node:path';
import type { ClusterPki } from './pki.js';
import { startProcess, type ManagedProcess } from './processes.js';

export const CONTROLLERS = ['serviceaccount-token-controller', 'serviceaccount-controller', 'namespace-controller', 'garbage-collector-controller'];

export function startControllerManager(options: {
  binDir: string;
  dir: string;
  clusterName: string;
  /** A kubeconfig with only this cluster's admin credentials. */
  kubeconfigPath: string;
  pki: ClusterPki;
}): ManagedProcess {
  return startProcess({
    name: `${options.clusterName}/kube-controller-manager`,
    command: join(options.binDir, 'kube-controller-manager'),
    logFile: join(options.dir, 'kube-controller-manager.log'),
    args: [
      `--kubeconfig=${options.kubeconfigPath}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      `--service-account-private-key-file=${options.pki.serviceAccount.privateKey}`,
      // Written into token Secrets as ca.crt, which `istioctl create-remote-secret` copies.
      `--root-ca-file=${options.pki.ca.cert}`,
      '--use-service-account-credentials=false',
      '--leader-elect=false',
      // Serving nothing avoids clashes on the default port 10257 between clusters.
      '--secure-port=0',
      `--cluster-name=${options.clusterName}`,
      '--v=0',
    ],
  });
}
