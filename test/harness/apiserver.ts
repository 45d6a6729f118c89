// kube-apiserver started the way envtest does it: secure port only, RBAC, client-certificate
// authentication against the cluster's own CA, and a service-account issuer of its own so that
// tokens of one cluster are rejected by every other.
import { readFile, writeFile } from 'node:fs/promises';
import { egressSelectorConfig } from './egress-trap.js';
import { join } from 'node:path';
import type { ClusterPki } from './pki.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './processes.js';
import { get, waitUntilReady } from './readiness.js';

export interface ApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  process: ManagedProcess;
}

export async function startApiServer(options: { binDir: string; dir: string; clusterName: string; etcdUrl: string; pki: ClusterPki; egressTrapSocket: string }): Promise<ApiServer> {
  const { pki } = options;
  const egressConfig = join(options.dir, 'egress-selector.yaml');
  await writeFile(egressConfig, egressSelectorConfig(options.egressTrapSocket));
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const proc = startProcess({
    name: `${options.clusterName}/kube-apiserver`,
    command: join(options.binDir, 'kube-apiserver'),
    logFile: join(options.dir, 'kube-apiserver.log'),
    args: [
      `--etcd-servers=${options.etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${options.dir}`,
      `--tls-cert-file=${pki.serving.cert}`,
      `--tls-private-key-file=${pki.serving.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${url}/`,
      `--service-account-key-file=${pki.serviceAccount.publicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
      // ClusterIP allocation happens inside the apiserver; a /16 leaves room for many tests.
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      // No kubelets, nodes or pods ever run; the 'lease' reconciler would keep rewriting the
      // kubernetes Endpoints with a loopback address, which nothing here can use.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      // Webhook calls and any other traffic to the "cluster" network go to the loopback trap
      // (egress-trap.ts): nothing this API server dials may leave the machine.
      `--egress-selector-config-file=${egressConfig}`,
      '--v=0',
    ],
  });
  const [ca, cert, key] = await Promise.all([pki.ca.cert, pki.admin.cert, pki.admin.key].map((p) => readFile(p, 'utf8')));
  await waitUntilReady({
    what: `${options.clusterName} kube-apiserver /readyz`,
    process: proc,
    timeoutMs: 90_000,
    check: async () => (await get(`${url}/readyz`, { ca, cert, key })).status === 200,
  });
  return { url, process: proc };
}
