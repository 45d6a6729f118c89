// Names Istio fixes and meshctl reuses verbatim. Collected here so a reader can check them
// against the sources in one place (istio/istio samples/multicluster, manifests/charts,
// istioctl/pkg/multicluster/remote_secret.go).

/** The Istio system namespace every guide step targets (`-n istio-system`). */
export const ISTIO_NAMESPACE = 'istio-system';

/** Namespace label istiod reads to learn a cluster's network. */
export const NETWORK_LABEL = 'topology.istio.io/network';
/** Namespace annotation naming the primaries allowed to manage a remote (webhooks, CA root). */
export const CONTROL_PLANE_CLUSTERS_ANNOTATION = 'topology.istio.io/controlPlaneClusters';

/** `metadata.name` of the control-plane IstioOperator; see control-plane.ts for why it is set. */
export const CONTROL_PLANE_IOP_NAME = 'control-plane';
/** `metadata.name` gen-eastwest-gateway.sh gives its IstioOperator. */
export const EASTWEST_IOP_NAME = 'eastwest';
export const EASTWEST_GATEWAY_NAME = 'istio-eastwestgateway';

export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
/** remote_secret.go tokenSecretName(): `<sa>-istio-remote-secret-token`. */
export const READER_TOKEN_SECRET = `${READER_SERVICE_ACCOUNT}-istio-remote-secret-token`;
/** remote_secret.go remoteSecretPrefix. */
export const REMOTE_SECRET_PREFIX = 'istio-remote-secret-';
/** Label istiod's secret controller selects on (multicluster.MultiClusterSecretLabel). */
export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster';
/** Annotation create-remote-secret stamps with the source cluster ID (informational). */
export const CLUSTER_NAME_ANNOTATION = 'networking.istio.io/cluster';

/** The four keys of the plug-in CA Secret (the file names of tools/certs). */
export const CACERTS_KEYS = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;

/** Chart naming: `<base>` for the default revision, `<base>-<rev>` otherwise. */
export function revisioned(base: string, revision: string | undefined): string {
  return revision ? `${base}-${revision}` : base;
}

/**
 * The ConfigMap a running istiod writes into every namespace of each cluster it serves (its
 * namespace controller), with the mesh root. Nothing removes it on uninstall.
 */
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
/** Its companion with the plugged-in CA's revocation list (namespacecontroller.go, PILOT_CRL_CONFIGMAP). */
export const CRL_CONFIGMAP = 'istio-ca-crl';
/** The label istiod puts on both: `istio.io/config=true`. */
export const ROOT_CERT_CONFIGMAP_LABEL = { key: 'istio.io/config', value: 'true' } as const;

/**
 * meshctl's annotation on a deleted CRD whose finalizer stalled (executors/wait.ts says why),
 * written every CRD_WAKE_AFTER_MS while it does.
 */
export const CRD_WAKE_ANNOTATION = 'meshctl.io/finalizer-retry';
export const CRD_WAKE_AFTER_MS = 5_000;
