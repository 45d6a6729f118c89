// When a simulated istiod runs and which clusters it controls; its visible effects there are
// webhook-cabundle.ts and root-cert-configmap.ts.
//
// An istiod "runs" in a cluster when istio-system holds an Available Deployment named istiod*.
// It controls its own cluster, and a remote cluster R when (1) its istio-system has a Secret
// labelled istio/multiCluster=true with a data key R (a kubeconfig), and (2) R's istio-system is
// annotated topology.istio.io/controlPlaneClusters naming this cluster (or "*"). Like the real
// istiod, everything done in R is done with the kubeconfig from that Secret, so a broken token,
// server address, CA or missing RBAC in meshctl's remote secret shows up as "nothing happens".
// The root certificate is the primary's `cacerts` root-cert.pem when that Secret exists (as with
// a real plugged-in CA), otherwise a self-signed CA generated per primary at start.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { clientsOf, statusCode, type ClusterClients } from './clients.js';
import { effectsByNamespace, type EffectOn, type Emit, type SimulatedEffect } from './effects.js';
import { ISTIO_NS, type IstiodTarget } from './istiod-target.js';
import { isDeploymentAvailable } from './rollout.js';
import { writeRootCertConfigMaps } from './root-cert-configmap.js';
import { patchInjectorCaBundles } from './webhook-cabundle.js';

const CONTROL_PLANE_CLUSTERS = 'topology.istio.io/controlPlaneClusters';

export async function selfSignedCa(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    '/dev/null',
    '-days',
    '365',
    '-subj',
    `/O=cluster.local/CN=simulated istiod CA ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return stdout;
}

export class SimulatedIstiod {
  // Remote clients built from remote-secret kubeconfigs, keyed by the kubeconfig's digest.
  private readonly remoteClients = new Map<string, ClusterClients>();

  constructor(
    private readonly cluster: string,
    private readonly clients: ClusterClients,
    readonly generatedRoot: string,
    private readonly enabled: (e: SimulatedEffect) => boolean,
    private readonly emit: Emit,
    /** Told of every remote this istiod looks at: a change there must wake this cluster's pass. */
    private readonly readsRemote: (remote: string) => void,
  ) {}

  /** What a running istiod in this cluster visibly does, here and in the remotes it controls; true when a remote failed. */
  async pass(on: EffectOn): Promise<boolean> {
    if (!this.enabled('webhookCaBundle') && !this.enabled('rootCertConfigMap')) return false;
    const istiods = (await this.clients.apps.listNamespacedDeployment({ namespace: ISTIO_NS })).items.filter((d) => d.metadata?.name?.startsWith('istiod') && isDeploymentAvailable(d));
    if (istiods.length === 0) return false;
    const root = await this.rootCert();
    await this.control({ clients: this.clients, cluster: this.cluster, root, on });
    let failed = false;
    const secrets = (await this.clients.core.listNamespacedSecret({ namespace: ISTIO_NS, labelSelector: 'istio/multiCluster=true' })).items;
    for (const secret of secrets) {
      for (const [remote, encoded] of Object.entries(secret.data ?? {})) {
        if (remote === this.cluster) continue; // as istiod: never overwrite its own cluster
        try {
          this.readsRemote(remote);
          const clients = this.remote(Buffer.from(encoded, 'base64').toString('utf8'));
          const ns = await clients.core.readNamespace({ name: ISTIO_NS });
          const leaders = (ns.metadata?.annotations?.[CONTROL_PLANE_CLUSTERS] ?? '').split(',').map((s) => s.trim());
          if (!leaders.includes(this.cluster) && !leaders.includes('*')) continue;
          // The remote's own namespace annotations decide what is off there.
          const remoteNamespaces = (await clients.core.listNamespace()).items;
          const onThere = effectsByNamespace(remoteNamespaces, (e) => this.enabled(e));
          await this.control({ clients, cluster: remote, root, on: onThere, namespaces: remoteNamespaces });
        } catch (err) {
          failed = true;
          this.emit('webhookCaBundle', `remote cluster ${remote} (secret ${secret.metadata?.name}): ${(err as Error).message}`, true);
        }
      }
    }
    return failed;
  }

  private async control(target: IstiodTarget): Promise<void> {
    await patchInjectorCaBundles(target, this.emit);
    await writeRootCertConfigMaps(target, this.emit);
  }

  private async rootCert(): Promise<string> {
    try {
      const cacerts = await this.clients.core.readNamespacedSecret({ name: 'cacerts', namespace: ISTIO_NS });
      const pem = cacerts.data?.['root-cert.pem'];
      if (pem) return Buffer.from(pem, 'base64').toString('utf8');
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
    return this.generatedRoot;
  }

  private remote(kubeconfig: string): ClusterClients {
    const key = createHash('sha256').update(kubeconfig).digest('hex');
    let clients = this.remoteClients.get(key);
    if (!clients) {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      clients = clientsOf(kc);
      this.remoteClients.set(key, clients);
    }
    return clients;
  }
}
