// What `meshctl verify` reads from the live clusters, as plain data: the objects each check
// looks at and the answers each remote secret's own credential got (gathered here, judged by
// verify/checks.ts). Reads only. Never a private key or a token: cacerts only as certificates.
import { isDiagnosticsError } from '../diagnostics.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { KubeObject } from '../kube/object.js';
import type { Permission } from '../model/istiod-permissions.js';
import { cacertsCertificates } from '../trust/live.js';
import { EASTWEST_GATEWAY_NAME, ISTIO_NAMESPACE, MULTICLUSTER_SECRET_LABEL, ROOT_CERT_CONFIGMAP, ROOT_CERT_CONFIGMAP_LABEL } from '../model/names.js';

export interface ClusterFacts {
  readonly cluster: string;
  /** Why the cluster could not be read; the other fields are then empty. */
  readonly unreachable?: string;
  /** The cacerts Secret's certificates, PEM by key (never ca-key.pem); absent when there is none. */
  readonly cacerts?: Readonly<Record<string, string>>;
  /** istiod Deployments in istio-system (label app=istiod). */
  readonly istiods: readonly KubeObject[];
  /** Service istio-system/istio-eastwestgateway. */
  readonly eastwestService?: KubeObject;
  /** The sidecar injector MutatingWebhookConfigurations (istio-sidecar-injector, -<revision>). */
  readonly injectors: readonly KubeObject[];
  /** The revision tags' MutatingWebhookConfigurations (istio-revision-tag-<tag>). */
  readonly tagWebhooks: readonly KubeObject[];
  /** Namespaces (names and phase) and the istio-ca-root-cert ConfigMaps in them. */
  readonly namespaces: readonly string[];
  readonly rootCertConfigMaps: readonly KubeObject[];
  /** A remote's local stand-ins for its primary's istiod: EndpointSlices of Service istiod or istiod-<revision>. */
  readonly remoteIstiodEndpoints: readonly KubeObject[];
  /** The remote secrets this cluster holds (label istio/multiCluster=true), as probed. */
  readonly remoteSecrets: readonly RemoteSecretProbe[];
}

export interface PermissionAnswer {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly allowed: boolean;
}

export interface RemoteSecretProbe {
  /** The Secret's name, e.g. istio-remote-secret-cluster2. */
  readonly secret: string;
  /** The cluster the kubeconfig inside is for (its data key). */
  readonly target: string;
  /** The API server URL in the kubeconfig. */
  readonly server?: string;
  /** Why it could not be used at all (no kubeconfig, unreadable, server unreachable). */
  readonly unusable?: string;
  /** Who the target's API server says the credential is; 'unauthenticated' when it refused it. */
  readonly identity?: { readonly username: string } | 'unauthenticated';
  readonly permissions: readonly PermissionAnswer[];
}

export interface VerifyFacts {
  readonly clusters: ReadonlyMap<string, ClusterFacts>;
  /** When the facts were read: certificate expiry is judged against it. */
  readonly at: string;
}

/** The ports gathering needs: a client per mesh cluster, and one made from a remote secret. */
export interface GatherPorts {
  readonly clients: ReadonlyMap<string, ClusterClient>;
  /** A client using the kubeconfig inside a remote secret, or why it cannot be made. */
  readonly connectKubeconfig: (o: { readonly cluster: string; readonly text: string; readonly describe: string }) => ClusterClient | { readonly error: string };
  /** Which permissions to ask about with the secret `holder` holds for `target`. */
  readonly permissionsFor: (holder: string, target: string) => readonly Permission[];
  readonly now: () => Date;
}

const ISTIO = ISTIO_NAMESPACE;

/** istiod, or istiod-<revision> (every revision installed: a canary keeps two). */
const isIstiodService = (name: string | undefined) => name === 'istiod' || (name?.startsWith('istiod-') ?? false);

/** Reads every cluster at once; a cluster that cannot be read is a fact, not a failure. */
export async function gatherVerifyFacts(ports: GatherPorts): Promise<VerifyFacts> {
  const entries = await Promise.all([...ports.clients].map(async ([cluster, client]) => [cluster, await clusterFacts(cluster, client, ports)] as const));
  return { clusters: new Map(entries), at: ports.now().toISOString() };
}

async function clusterFacts(cluster: string, client: ClusterClient, ports: GatherPorts): Promise<ClusterFacts> {
  const list = async (apiVersion: string, kind: string, namespace?: string, labelSelector?: string) => {
    const items = await client.list(apiVersion, kind, namespace, labelSelector ? { labelSelector } : {});
    return items === 'not-served' ? [] : items;
  };
  try {
    const [cacerts, istiods, eastwestService, webhooks, namespaces, rootCerts, endpoints, secrets] = await Promise.all([
      client.read({ apiVersion: 'v1', kind: 'Secret', namespace: ISTIO, name: 'cacerts' }),
      list('apps/v1', 'Deployment', ISTIO, 'app=istiod'),
      client.read({ apiVersion: 'v1', kind: 'Service', namespace: ISTIO, name: EASTWEST_GATEWAY_NAME }),
      list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'),
      list('v1', 'Namespace'),
      list('v1', 'ConfigMap', undefined, `${ROOT_CERT_CONFIGMAP_LABEL.key}=${ROOT_CERT_CONFIGMAP_LABEL.value}`),
      list('discovery.k8s.io/v1', 'EndpointSlice', ISTIO),
      list('v1', 'Secret', ISTIO, `${MULTICLUSTER_SECRET_LABEL}=true`),
    ]);
    return {
      cluster,
      ...(cacerts ? { cacerts: certificatesOf(cacerts) } : {}),
      istiods,
      ...(eastwestService ? { eastwestService } : {}),
      injectors: webhooks.filter((w) => w.metadata.name.startsWith('istio-sidecar-injector')),
      tagWebhooks: webhooks.filter((w) => w.metadata.name.startsWith('istio-revision-tag-')),
      namespaces: namespaces.filter((n) => (n as { status?: { phase?: string } }).status?.phase !== 'Terminating').map((n) => n.metadata.name),
      rootCertConfigMaps: rootCerts.filter((c) => c.metadata.name === ROOT_CERT_CONFIGMAP),
      remoteIstiodEndpoints: endpoints.filter((e) => isIstiodService((e.metadata as { labels?: Record<string, string> }).labels?.['kubernetes.io/service-name'])),
      remoteSecrets: await Promise.all(secrets.map((s) => probeRemoteSecret(cluster, s, ports))),
    };
  } catch (e) {
    return {
      cluster,
      unreachable: isDiagnosticsError(e) ? e.diagnostics.map((d) => d.detail ?? d.summary).join('; ') : String(e),
      istiods: [],
      injectors: [],
      tagWebhooks: [],
      namespaces: [],
      rootCertConfigMaps: [],
      remoteIstiodEndpoints: [],
      remoteSecrets: [],
    };
  }
}

/** The certificates of a cacerts Secret, decoded; the key is dropped here. */
function certificatesOf(secret: KubeObject): Record<string, string> {
  return cacertsCertificates((secret as { data?: Record<string, string> }).data ?? {});
}

async function probeRemoteSecret(holder: string, secret: KubeObject, ports: GatherPorts): Promise<RemoteSecretProbe> {
  const name = secret.metadata.name;
  const data = (secret as { data?: Record<string, string> }).data ?? {};
  const [target, encoded] = Object.entries(data)[0] ?? [];
  if (target === undefined || encoded === undefined) return { secret: name, target: '(none)', unusable: 'it holds no kubeconfig', permissions: [] };
  const describe = `the kubeconfig in Secret ${ISTIO}/${name} of cluster ${holder}`;
  const remote = ports.connectKubeconfig({ cluster: target, text: Buffer.from(encoded, 'base64').toString('utf8'), describe });
  if ('error' in remote) return { secret: name, target, unusable: remote.error, permissions: [] };
  try {
    const identity = await remote.whoAmI();
    if (identity === 'unauthenticated') return { secret: name, target, server: remote.server, identity, permissions: [] };
    const permissions = await Promise.all(
      ports.permissionsFor(holder, target).map(async (p) => {
        const allowed = await remote.mayI(p);
        return { ...p, allowed: allowed === true };
      }),
    );
    return { secret: name, target, server: remote.server, identity, permissions };
  } catch (e) {
    return { secret: name, target, server: remote.server, unusable: isDiagnosticsError(e) ? e.diagnostics.map((d) => d.detail ?? d.summary).join('; ') : String(e), permissions: [] };
  } finally {
    remote.close();
  }
}
