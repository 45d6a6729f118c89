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
  return plainKubeconfig(r) ?? stringify(remoteKubeconfig(r), { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

// Strings YAML writes without quotes whatever the context: no indicator first, no space, no
// `#`, nothing the core schema reads as null, a boolean or a number (which would start with a
// digit, a sign or a dot). Names, https URLs, base64 and JWTs are all of this kind.
const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/+=:-]*$/;
const NOT_A_STRING = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

/**
 * The same text as yaml's stringify, written directly when every value is a plain string: every
 * plan renders one per remote secret, and yaml's serialiser runs cold (docs/benchmarks.md). Any
 * value outside that kind goes through yaml. test/unit/model/remote-kubeconfig.test.ts compares
 * the two on random values.
 */
export function plainKubeconfig(r: ResolvedRemoteKubeconfig): string | undefined {
  const values = [r.clusterName, r.server, r.certificateAuthorityData, r.token, ...(r.tlsServerName ? [r.tlsServerName] : [])];
  if (!values.every((v) => PLAIN.test(v) && !NOT_A_STRING.test(v) && !v.endsWith(':'))) return undefined;
  const name = r.clusterName;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${r.certificateAuthorityData}`,
    `    server: ${r.server}`,
    ...(r.tlsServerName ? [`    tls-server-name: ${r.tlsServerName}`] : []),
    `  name: ${name}`,
    'contexts:',
    '- context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `  name: ${name}`,
    `current-context: ${name}`,
    'kind: Config',
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${r.token}`,
    '',
  ].join('\n');
}
