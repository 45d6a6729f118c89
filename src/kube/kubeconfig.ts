// Reading kubeconfig files the way kubectl does, without loading @kubernetes/client-node
// (importing it costs more than a whole no-op plan should; docs/architecture.md). KUBECONFIG may
// list several files: for every cluster, context and user name the first file that defines
// it wins, and current-context comes from the first file that sets one. Relative file paths
// are relative to the kubeconfig that names them. Credentials this loader does not handle
// itself (exec plugins, auth providers) are delegated to client-node, loaded only then.
import { MAX_KUBECONFIG_BYTES, readFailure, readBoundedSync, readTextBoundedSync } from '../fs/read-bounded.js';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

export interface KubeconfigSource {
  /** Files in precedence order. */
  readonly files: readonly string[];
  /** How to describe them in messages ("KUBECONFIG", a path…). */
  readonly describe: string;
}

interface Named<T> {
  readonly name: string;
  readonly value: T;
  readonly file: string;
}

interface RawCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface RawUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

interface RawContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface Merged {
  readonly clusters: ReadonlyMap<string, Named<RawCluster>>;
  readonly users: ReadonlyMap<string, Named<RawUser>>;
  readonly contexts: ReadonlyMap<string, Named<RawContext>>;
  readonly currentContext?: string;
  readonly source: KubeconfigSource;
}

/** --kubeconfig (or a cluster's own file) beats KUBECONFIG, which beats ~/.kube/config. */
export function kubeconfigSource(explicit: string | undefined, env: NodeJS.ProcessEnv): KubeconfigSource {
  if (explicit) return { files: [explicit], describe: explicit };
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length) return { files: list, describe: `KUBECONFIG (${list.join(path.delimiter)})` };
  const home = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  return { files: [home], describe: home };
}

export function readKubeconfigs(source: KubeconfigSource): Merged {
  const texts: { text: string; file: string }[] = [];
  for (const file of source.files) {
    try {
      texts.push({ text: readTextBoundedSync(file, { maxBytes: MAX_KUBECONFIG_BYTES }), file });
    } catch (e) {
      // kubectl skips missing files in a KUBECONFIG list; a lone explicit file must exist.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && source.files.length > 1) continue;
      throw new Error(readFailure(file, e));
    }
  }
  return mergeKubeconfigs(texts, source);
}

/**
 * A kubeconfig held in memory, such as the one in a remote secret. It must not name files
 * (certificate paths, token files): they would be this machine's, not the one it was made for.
 */
export function kubeconfigFromText(text: string, describe: string): Merged {
  return mergeKubeconfigs([{ text, file: '' }], { files: [], describe });
}

/**
 * YAML errors name where, never what: the yaml package's message quotes the lines around the
 * error, and in a kubeconfig those hold tokens and keys (issue 19).
 */
function parseQuietly(text: string, file: string): unknown {
  try {
    return parse(text);
  } catch (e) {
    const first = ((e as Error).message.split('\n')[0] ?? '').replace(/:\s*$/, '');
    throw new Error(`${file} is not a valid kubeconfig: ${first}`);
  }
}

/** kubectl's merge: the first file to define a name wins, and the first current-context. */
function mergeKubeconfigs(texts: readonly { text: string; file: string }[], source: KubeconfigSource): Merged {
  const clusters = new Map<string, Named<RawCluster>>();
  const users = new Map<string, Named<RawUser>>();
  const contexts = new Map<string, Named<RawContext>>();
  let currentContext: string | undefined;
  for (const { text, file } of texts) {
    const doc = (parseQuietly(text, file) ?? {}) as {
      clusters?: { name: string; cluster: RawCluster }[];
      users?: { name: string; user: RawUser }[];
      contexts?: { name: string; context: RawContext }[];
      'current-context'?: string;
    };
    for (const c of doc.clusters ?? []) if (c?.name && !clusters.has(c.name)) clusters.set(c.name, { name: c.name, value: c.cluster ?? {}, file });
    for (const u of doc.users ?? []) if (u?.name && !users.has(u.name)) users.set(u.name, { name: u.name, value: u.user ?? {}, file });
    for (const c of doc.contexts ?? []) if (c?.name && !contexts.has(c.name)) contexts.set(c.name, { name: c.name, value: c.context ?? {}, file });
    if (!currentContext && doc['current-context']) currentContext = doc['current-context'];
  }
  return { clusters, users, contexts, currentContext, source };
}

/** Everything a request needs, resolved for one context. */
export interface Endpoint {
  readonly context: string;
  readonly server: string;
  readonly ca?: Buffer;
  readonly insecure: boolean;
  readonly tlsServerName?: string;
  readonly auth:
    | { readonly kind: 'none' }
    | { readonly kind: 'token'; readonly token: string }
    | { readonly kind: 'token-file'; readonly file: string }
    | { readonly kind: 'client-cert'; readonly cert: Buffer; readonly key: Buffer }
    | { readonly kind: 'basic'; readonly username: string; readonly password: string }
    /** exec plugins, auth providers, proxies: handled by @kubernetes/client-node. */
    | { readonly kind: 'delegated'; readonly why: string };
}

/** A file a kubeconfig names that cannot be read: the user's to fix, said as such. */
class NamedFileError extends Error {}

function fileOrData(opts: { data?: string; file?: string; base: string; what: string }): Buffer | undefined {
  if (opts.data) return Buffer.from(opts.data, 'base64');
  if (!opts.file) return undefined;
  const file = path.resolve(path.dirname(opts.base), opts.file);
  try {
    return readBoundedSync(file, { maxBytes: MAX_KUBECONFIG_BYTES });
  } catch (e) {
    throw new NamedFileError(`${opts.what}: ${readFailure(file, e)}`);
  }
}

export type ResolveError = { readonly error: 'no-context' | 'no-cluster' | 'no-user' | 'no-server' | 'unreadable-file'; readonly detail: string };

export function resolveEndpoint(m: Merged, contextName: string): Endpoint | ResolveError {
  try {
    return endpointOf(m, contextName);
  } catch (e) {
    if (e instanceof NamedFileError) return { error: 'unreadable-file', detail: e.message };
    throw e;
  }
}

function endpointOf(m: Merged, contextName: string): Endpoint | ResolveError {
  const ctx = m.contexts.get(contextName);
  if (!ctx) return { error: 'no-context', detail: [...m.contexts.keys()].join(', ') };
  const cluster = ctx.value.cluster ? m.clusters.get(ctx.value.cluster) : undefined;
  if (!cluster) return { error: 'no-cluster', detail: String(ctx.value.cluster ?? '(none)') };
  const c = cluster.value;
  if (!c.server) return { error: 'no-server', detail: cluster.name };
  const userEntry = ctx.value.user ? m.users.get(ctx.value.user) : undefined;
  if (ctx.value.user && !userEntry) return { error: 'no-user', detail: ctx.value.user };
  const u = userEntry?.value ?? {};
  const base = {
    context: contextName,
    server: c.server,
    ca: fileOrData({ data: c['certificate-authority-data'], file: c['certificate-authority'], base: cluster.file, what: `certificate-authority of kubeconfig cluster "${cluster.name}"` }),
    insecure: c['insecure-skip-tls-verify'] === true,
    tlsServerName: c['tls-server-name'],
  };
  if (c['proxy-url']) return { ...base, auth: { kind: 'delegated', why: 'proxy-url' } };
  if (u.exec) return { ...base, auth: { kind: 'delegated', why: 'exec' } };
  if (u['auth-provider']) return { ...base, auth: { kind: 'delegated', why: 'auth-provider' } };
  if (u.token) return { ...base, auth: { kind: 'token', token: u.token } };
  if (u.tokenFile) return { ...base, auth: { kind: 'token-file', file: path.resolve(path.dirname(userEntry!.file), u.tokenFile) } };
  const cert = fileOrData({ data: u['client-certificate-data'], file: u['client-certificate'], base: userEntry?.file ?? '', what: `client-certificate of user "${ctx.value.user}"` });
  const key = fileOrData({ data: u['client-key-data'], file: u['client-key'], base: userEntry?.file ?? '', what: `client-key of user "${ctx.value.user}"` });
  if (cert && key) return { ...base, auth: { kind: 'client-cert', cert, key } };
  if (u.username && u.password) return { ...base, auth: { kind: 'basic', username: u.username, password: u.password } };
  return { ...base, auth: { kind: 'none' } };
}
