// Connecting to one cluster the way kubectl does: KUBECONFIG (several files merged), an
// explicit --kubeconfig, or the cluster's own kubeconfig from mesh.yaml; the named context;
// token, client-certificate and exec authentication as @kubernetes/client-node supports them.
import * as k8s from '@kubernetes/client-node';
import { fail } from '../diagnostics.js';
import { ClusterClient } from './cluster-client.js';

export interface ConnectOptions {
  readonly cluster: string;
  readonly context: string;
  /** From mesh.yaml (per cluster), or --kubeconfig (global); else KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly env: NodeJS.ProcessEnv;
}

export function loadKubeConfig(opts: ConnectOptions): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const where = opts.kubeconfig ?? opts.env.KUBECONFIG ?? '~/.kube/config';
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    fail('Cannot read kubeconfig', `Cluster "${opts.cluster}": reading ${where} failed: ${(e as Error).message}`);
  }
  if (!kc.getContextObject(opts.context)) {
    const known = kc.getContexts().map((c) => c.name);
    fail(
      'Unknown kube context',
      `Cluster "${opts.cluster}" names context "${opts.context}", which is not in ${where}. Contexts there: ${known.length ? known.join(', ') : '(none)'}.`,
      { hint: 'Fix clusters.<name>.context in mesh.yaml, or point --kubeconfig / KUBECONFIG at the right file.' },
    );
  }
  kc.setCurrentContext(opts.context);
  return kc;
}

export function connect(opts: ConnectOptions): ClusterClient {
  return new ClusterClient({ cluster: opts.cluster, context: opts.context, kc: loadKubeConfig(opts) });
}
