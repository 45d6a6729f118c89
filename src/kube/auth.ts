// Applying a context's credentials to a request. Static credentials (token, token file,
// client certificate, basic) are applied here; exec plugins, auth providers and proxies are
// handed to @kubernetes/client-node, imported only for such contexts.
import { fail } from '../diagnostics.js';
import { MAX_KUBECONFIG_BYTES, readFailure, readTextBoundedSync } from '../fs/read-bounded.js';
import type * as https from 'node:https';
import type { Endpoint, KubeconfigSource } from './kubeconfig.js';

export interface RequestAuth {
  /** Sets TLS material, headers and (for delegated auth) the agent options on a request. */
  apply(o: https.RequestOptions): Promise<void>;
}

export function authFor(endpoint: Endpoint, source: KubeconfigSource): RequestAuth {
  const tls = (o: https.RequestOptions) => {
    if (endpoint.ca) o.ca = endpoint.ca;
    if (endpoint.insecure) o.rejectUnauthorized = false;
    if (endpoint.tlsServerName) o.servername = endpoint.tlsServerName;
  };
  const header = (o: https.RequestOptions, value: string) => {
    o.headers = { ...(o.headers as Record<string, string>), Authorization: value };
  };
  const a = endpoint.auth;
  switch (a.kind) {
    case 'none':
      return { apply: async (o) => tls(o) };
    case 'token':
      return { apply: async (o) => (tls(o), header(o, `Bearer ${a.token}`)) };
    case 'token-file':
      // Re-read on every request: projected tokens rotate.
      return { apply: async (o) => (tls(o), header(o, `Bearer ${readTokenFile(a.file, endpoint.context)}`)) };
    case 'client-cert':
      return {
        apply: async (o) => {
          tls(o);
          o.cert = a.cert;
          o.key = a.key;
        },
      };
    case 'basic':
      return { apply: async (o) => (tls(o), header(o, `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`)) };
    case 'delegated':
      return delegated(endpoint.context, source);
  }
}

function delegated(context: string, source: KubeconfigSource): RequestAuth {
  let kc: Promise<{ applyToHTTPSOptions(o: https.RequestOptions): Promise<void> }> | undefined;
  return {
    apply: async (o) => {
      kc ??= import('@kubernetes/client-node').then((k8s) => {
        const c = new k8s.KubeConfig();
        if (source.files.length === 1) c.loadFromFile(source.files[0]!);
        else c.loadFromDefault();
        c.setCurrentContext(context);
        return c;
      });
      await (await kc).applyToHTTPSOptions(o);
    },
  };
}

function readTokenFile(file: string, context: string): string {
  try {
    return readTextBoundedSync(file, { maxBytes: MAX_KUBECONFIG_BYTES }).trim();
  } catch (e) {
    fail('Cannot read the token file', `Context "${context}" uses tokenFile: ${readFailure(file, e)}.`, { hint: 'Fix tokenFile in the kubeconfig.' });
  }
}
