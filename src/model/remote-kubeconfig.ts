// The kubeconfig `istioctl create-remote-secret` puts in a remote secret (remote_secret.go
// createBaseKubeconfig + createBearerTokenKubeconfig): one cluster, one user, one context, all
// named after the source cluster ID, current-context set, a bearer token as the only
// credential (istiod rejects exec/auth-provider kubeconfigs by default, istio/istio#61773).
// Pure: the executor resolves a RemoteKubeconfigTemplate's Unknowns, then calls
// renderRemoteKubeconfig and stores the text (base64) under the template's dataKey.
import { stringify } from 'yaml';

export interface ResolvedRemoteKubeconfig {
  readonly clusterName: string;
  readonly server: string;
  /** base64 of the CA bundle, as in the token Secret's `data['ca.crt']`. */
  readonly certificateAuthorityData: string;
  /** The decoded ServiceAccount token. */
  readonly token: string;
  /** create-remote-secret --tls-server-name; omitted when absent. */
  readonly tlsServerName?: string;
}

/** The kubeconfig as data, keys in the (sorted) order client-go's encoder writes them. */
export function remoteKubeconfig(r: ResolvedRemoteKubeconfig): Record<string, unknown> {
  const name = r.clusterName;
  return {
    apiVersion: 'v1',
    clusters: [
      {
        cluster: {
          'certificate-authority-data': r.certificateAuthorityData,
          server: r.server,
          ...(r.tlsServerName ? { 'tls-server-name': r.tlsServerName } : {}),
        },
        name,
      },
    ],
    contexts: [{ context: { cluster: name, user: name }, name }],
    'current-context': name,
    kind: 'Config',
    users: [{ name, user: { token: r.token } }],
  };
}

/** The kubeconfig text, formatted as create-remote-secret prints it (unindented lists). */
export function renderRemoteKubeconfig(r: ResolvedRemoteKubeconfig): string {
  return stringify(remoteKubeconfig(r), { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}
