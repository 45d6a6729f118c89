// Connecting to one cluster the way kubectl does: KUBECONFIG (several files merged), an
// explicit --kubeconfig, or the cluster's own kubeconfig from mesh.yaml; the named context;
// token, client-certificate, exec and auth-provider credentials.
import { fail, warning, type Diagnostic } from '../diagnostics.js';
import { authFor } from './auth.js';
import { cacheRoot } from '../cache/root.js';
import { ClusterClient } from './cluster-client.js';
import { diskDiscoveryCache } from './discovery-cache.js';
import { kubeconfigFromText, kubeconfigSource, readKubeconfigs, resolveEndpoint, type Endpoint, type Merged } from './kubeconfig.js';
import { credentialPluginsAllowed } from './untrusted.js';

export interface ConnectOptions {
  readonly cluster: string;
  readonly context: string;
  /** From mesh.yaml (per cluster), or --kubeconfig (global); else KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Parsed kubeconfigs shared between clusters that use the same files. */
  readonly cache?: Map<string, Merged>;
}

export function connect(opts: ConnectOptions): ClusterClient {
  const source = kubeconfigSource(opts.kubeconfig, opts.env);
  const key = source.files.join('\u0000');
  let merged = opts.cache?.get(key);
  if (!merged) {
    try {
      merged = readKubeconfigs(source);
    } catch (e) {
      fail('Cannot read kubeconfig', `Cluster "${opts.cluster}": reading ${source.describe} failed: ${(e as Error).message}`);
    }
    opts.cache?.set(key, merged);
  }
  const ep = resolveEndpoint(merged, opts.context);
  if ('error' in ep) {
    switch (ep.error) {
      case 'no-context':
        fail('Unknown kube context', `Cluster "${opts.cluster}" names context "${opts.context}", which is not in ${source.describe}. Contexts there: ${ep.detail || '(none)'}.`, {
          hint: 'Fix clusters.<name>.context in mesh.yaml, or point --kubeconfig / KUBECONFIG at the right file.',
        });
      case 'no-cluster':
        fail('Broken kube context', `Context "${opts.context}" (cluster "${opts.cluster}") names kubeconfig cluster "${ep.detail}", which ${source.describe} does not define.`);
      case 'no-user':
        fail('Broken kube context', `Context "${opts.context}" (cluster "${opts.cluster}") names user "${ep.detail}", which ${source.describe} does not define.`);
      case 'no-server':
        fail('Broken kube context', `Kubeconfig cluster "${ep.detail}" used by context "${opts.context}" has no server URL.`);
      case 'unreadable-file':
        fail('Cannot read a file the kubeconfig names', `Context "${opts.context}" (cluster "${opts.cluster}"), in ${source.describe}: the ${ep.detail}.`, {
          hint: 'Fix the path in the kubeconfig, or embed the data (…-data fields) instead.',
        });
    }
  }
  if (ep.auth.kind === 'delegated' && ep.auth.why !== 'proxy-url' && !credentialPluginsAllowed(opts.env)) {
    fail(
      'Credential plugin not allowed',
      `Context "${opts.context}" (cluster "${opts.cluster}") in ${source.describe} authenticates with ${ep.auth.why === 'exec' ? 'an exec credential plugin' : 'an auth provider'}, which runs a program; MESHCTL_UNTRUSTED is set and MESHCTL_ALLOW_CREDENTIAL_PLUGINS is not.`,
      { hint: "If the kubeconfig is the CI's own (not the pull request's), set MESHCTL_ALLOW_CREDENTIAL_PLUGINS=1 in the job." },
    );
  }
  const discoveryCache = opts.env['MESHCTL_DISCOVERY_CACHE'] === 'off' ? undefined : diskDiscoveryCache({ root: cacheRoot(opts.env), server: ep.server, ...(ep.ca ? { ca: ep.ca } : {}) });
  return new ClusterClient({
    cluster: opts.cluster,
    context: opts.context,
    server: ep.server,
    auth: authFor(ep, source),
    ...(discoveryCache ? { discoveryCache } : {}),
    warnings: transportWarnings(ep, `Context "${opts.context}" (cluster "${opts.cluster}")`),
  });
}

/**
 * A client that uses a kubeconfig held in memory (a remote secret's) with its current context:
 * verify asks the cluster, with the remote secret's own credential, what istiod could do there.
 * Returns why it cannot be used instead of throwing: a broken remote secret is a finding.
 */
export function connectKubeconfigText(opts: { readonly cluster: string; readonly text: string; readonly describe: string }): ClusterClient | { readonly error: string } {
  let merged: Merged;
  try {
    merged = kubeconfigFromText(opts.text, opts.describe);
  } catch (e) {
    return { error: `${opts.describe} is not a readable kubeconfig: ${(e as Error).message}` };
  }
  const context = merged.currentContext ?? [...merged.contexts.keys()][0];
  if (!context) return { error: `${opts.describe} has no context` };
  const named = [...merged.clusters.values(), ...merged.users.values()].some((n) => ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'].some((k) => k in (n.value as object)));
  if (named) return { error: `${opts.describe} names files (certificate or token paths), which istiod in another cluster cannot read` };
  const ep = resolveEndpoint(merged, context);
  if ('error' in ep) return { error: `${opts.describe}: context "${context}" is broken (${ep.error}: ${ep.detail})` };
  if (ep.auth.kind === 'delegated') return { error: `${opts.describe} uses ${ep.auth.why} credentials, which meshctl does not check` };
  return new ClusterClient({ cluster: opts.cluster, context, server: ep.server, auth: authFor(ep, merged.source) });
}

/**
 * Said once per cluster, before any request: a credential over plain HTTP to another host can be
 * read on the way, and without certificate verification anyone in the middle can answer as the
 * cluster (kubectl accepts both silently).
 */
function transportWarnings(ep: Endpoint, who: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const url = new URL(ep.server);
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(url.hostname);
  const sendsSecret = ep.auth.kind === 'token' || ep.auth.kind === 'token-file' || ep.auth.kind === 'basic' || ep.auth.kind === 'delegated';
  if (url.protocol === 'http:' && !loopback && sendsSecret) {
    out.push(
      warning('Credentials sent unencrypted', `${who} sends its credential over http:// to ${ep.server}: anyone on the network path can read it and act as you.`, {
        hint: "Use the cluster's https:// address.",
      }),
    );
  }
  if (ep.insecure) {
    out.push(
      warning('Server certificate not verified', `${who} sets insecure-skip-tls-verify: any machine between here and ${ep.server} can answer as the cluster and read the credential.`, {
        hint: "Set certificate-authority-data (or certificate-authority) to the cluster's CA instead.",
      }),
    );
  }
  return out;
}
