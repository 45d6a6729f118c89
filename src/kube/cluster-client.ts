// The narrow port through which everything meshctl does to a cluster passes: list per kind,
// read, server-side apply, delete. It discovers resource names once per group/version,
// counts requests (benchmarks report them) and turns failures into errors that name the
// cluster, context and server.
import type { RequestAuth } from './auth.js';
import { DiagnosticsError, error, type Diagnostic } from '../diagnostics.js';
import { groupOf, type KubeObject, type ObjectRef } from './object.js';
import type { ApiResource, DiscoveryCache } from './discovery-cache.js';
import { RestClient, RestError, type RestResponse } from './rest.js';

export const fieldManager = 'meshctl';

interface CollectionPath {
  readonly path: string;
  /** Found through the disk cache, not asked of the server in this run. */
  readonly hinted: boolean;
}

export class ClusterClient {
  readonly cluster: string;
  readonly context: string;
  readonly server: string;
  private readonly rest: RestClient;
  private readonly discovery = new Map<string, Promise<readonly ApiResource[] | 'not-served'>>();
  private readonly cache: DiscoveryCache | undefined;
  /** What is unsafe about how this cluster is reached (credentials in clear, TLS unverified). */
  readonly warnings: readonly Diagnostic[];

  constructor(opts: { cluster: string; context: string; server: string; auth: RequestAuth; discoveryCache?: DiscoveryCache; warnings?: readonly Diagnostic[] }) {
    this.warnings = opts.warnings ?? [];
    this.cluster = opts.cluster;
    this.context = opts.context;
    this.server = opts.server;
    this.rest = new RestClient({ server: opts.server, auth: opts.auth });
    this.cache = opts.discoveryCache;
  }

  /** API requests sent, discovery included. */
  get requests(): number {
    return this.rest.requests;
  }

  /** Bytes of response bodies received. */
  get responseBytes(): number {
    return this.rest.responseBytes;
  }

  /** Requests sent again because the server asked (429/5xx with Retry-After). */
  get retries(): number {
    return this.rest.retries;
  }

  /** TLS connections opened. */
  get connections(): number {
    return this.rest.connections;
  }

  close(): void {
    this.rest.close();
  }

  /** Lists one kind (in one namespace, or all); 'not-served' when the API does not know the kind yet. */
  async list(apiVersion: string, kind: string, namespace?: string, opts: { labelSelector?: string; metadataOnly?: boolean } = {}): Promise<KubeObject[] | 'not-served'> {
    const q = opts.labelSelector ? `?labelSelector=${encodeURIComponent(opts.labelSelector)}` : '';
    // Metadata only (what `kubectl get` asks for in its tables): the server sends each item's
    // metadata and no spec or status. The JSON fallback keeps a server that cannot do it working.
    const sendOpts = opts.metadataOnly ? { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' } : {};
    let where = await this.collectionPath(apiVersion, kind, namespace, { hints: true });
    if (where === 'not-served') return 'not-served';
    let res = await this.send('GET', where.path + q, `listing ${kind}`, sendOpts);
    if (res.status === 404 && where.hinted) {
      // The cached discovery was wrong (a CRD removed since): ask the server, then try again.
      this.cache?.forget(apiVersion);
      where = await this.collectionPath(apiVersion, kind, namespace);
      if (where === 'not-served') return 'not-served';
      res = await this.send('GET', where.path + q, `listing ${kind}`, sendOpts);
    }
    if (res.status === 404) return 'not-served';
    this.check(res, `listing ${kind}`);
    const items = (this.json(res, `listing ${kind}`) as { items?: KubeObject[] }).items ?? [];
    // List items carry no apiVersion/kind; the request said what they are.
    return items.map((o) => ({ ...o, apiVersion, kind }));
  }

  async read(ref: ObjectRef): Promise<KubeObject | null> {
    const where = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    if (where === 'not-served') return null;
    const res = await this.send('GET', `${where.path}/${encodeURIComponent(ref.name)}`, `reading ${ref.kind} ${ref.name}`);
    if (res.status === 404) return null;
    this.check(res, `reading ${ref.kind} ${ref.name}`);
    return this.json(res, `reading ${ref.kind} ${ref.name}`) as KubeObject;
  }

  /** Server-side apply as field manager "meshctl", taking over conflicting fields like istioctl does. */
  async apply(obj: KubeObject): Promise<KubeObject> {
    const doing = `applying ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
    const where = await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace);
    if (where === 'not-served') {
      throw new DiagnosticsError([error('Kind not served', `${doing} in ${this.where()}: the API server does not serve ${obj.apiVersion} ${obj.kind}. Is its CustomResourceDefinition installed?`)]);
    }
    const res = await this.send('PATCH', `${where.path}/${encodeURIComponent(obj.metadata.name)}?fieldManager=${fieldManager}&force=true`, doing, {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      timeoutMs: WRITE_TIMEOUT_MS,
    });
    this.check(res, doing);
    return this.json(res, doing) as KubeObject;
  }

  /** Deletes (background propagation); an object already gone is not an error. */
  async remove(ref: ObjectRef): Promise<'deleted' | 'absent'> {
    const doing = `deleting ${ref.kind} ${ref.name}`;
    const where = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    if (where === 'not-served') return 'absent';
    const res = await this.send('DELETE', `${where.path}/${encodeURIComponent(ref.name)}`, doing, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      timeoutMs: WRITE_TIMEOUT_MS,
    });
    if (res.status === 404) return 'absent';
    this.check(res, doing);
    return 'deleted';
  }

  /**
   * One request to a fixed path, answered as sent: for the Kubernetes state backend, which
   * speaks to core Secrets and Leases and reads the status codes itself (403, 404, 409).
   */
  async call(method: string, path: string, opts: { body?: unknown; contentType?: string } = {}): Promise<RestResponse> {
    return this.send(method, path, `${method} ${path}`, { ...opts, ...(method === 'GET' ? {} : { timeoutMs: WRITE_TIMEOUT_MS }) });
  }

  /** "context "c" (server https://…)", for messages of callers of call(). */
  get describe(): string {
    return `context "${this.context}", server ${this.server}`;
  }

  /**
   * Who the server says this client's credential is (SelfSubjectReview, authentication.k8s.io/v1):
   * `unauthenticated` when it refuses the credential (401), as a remote secret with a deleted
   * token is.
   */
  async whoAmI(): Promise<{ readonly username: string } | 'unauthenticated'> {
    const doing = 'asking who the credential is';
    const res = await this.send('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', doing, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    if (res.status === 401) return 'unauthenticated';
    this.check(res, doing);
    const user = (this.json(res, doing) as { status?: { userInfo?: { username?: string } } }).status?.userInfo?.username;
    return { username: user ?? '(unknown)' };
  }

  /** Whether this client's credential may do `verb` on `resource` (SelfSubjectAccessReview). */
  async mayI(a: { readonly verb: string; readonly group: string; readonly resource: string; readonly namespace?: string }): Promise<boolean | 'unauthenticated'> {
    const doing = `asking whether it may ${a.verb} ${a.resource}`;
    const res = await this.send('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', doing, {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: a.verb, group: a.group, resource: a.resource, ...(a.namespace ? { namespace: a.namespace } : {}) } },
      },
    });
    if (res.status === 401) return 'unauthenticated';
    this.check(res, doing);
    return (this.json(res, doing) as { status?: { allowed?: boolean } }).status?.allowed === true;
  }

  /**
   * Sets one annotation with a JSON merge patch. Not server-side apply: as field manager
   * "meshctl", an apply of only an annotation would give up every other field meshctl applied.
   */
  async annotate(ref: ObjectRef, key: string, value: string): Promise<'annotated' | 'absent'> {
    const doing = `annotating ${ref.kind} ${ref.name}`;
    const where = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    if (where === 'not-served') return 'absent';
    const res = await this.send('PATCH', `${where.path}/${encodeURIComponent(ref.name)}`, doing, {
      body: { metadata: { annotations: { [key]: value } } },
      contentType: 'application/merge-patch+json',
      timeoutMs: WRITE_TIMEOUT_MS,
    });
    if (res.status === 404) return 'absent';
    this.check(res, doing);
    return 'annotated';
  }

  /**
   * The collection URL of a kind. With `hints`, a disk-cached discovery entry may answer, but
   * only with a path (the caller verifies it); absence is always asked of the server. Only
   * lists take hints: a 404 there can only mean the kind is not served, where a 404 of a single
   * object's GET or DELETE could also mean the object is gone.
   */
  private async collectionPath(apiVersion: string, kind: string, namespace?: string, opts: { hints?: boolean } = {}): Promise<CollectionPath | 'not-served'> {
    if (opts.hints && !this.discovery.has(apiVersion)) {
      const hinted = this.cache?.read(apiVersion)?.find((x) => matches(x, kind));
      if (hinted) return { path: pathOf(apiVersion, hinted, namespace), hinted: true };
    }
    const earlier = this.discovery.has(apiVersion);
    let resources = await this.resources(apiVersion);
    if (resources === 'not-served') return 'not-served';
    let r = resources.find((x) => matches(x, kind));
    if (!r && earlier) {
      // Discovered earlier in this run, when the group/version was served without this kind: a
      // CRD of the same group may have been installed since (docs/architecture.md, "Discovery is
      // cached on disk"). Ask once more, as kubectl does on "no matches for kind".
      this.discovery.delete(apiVersion);
      resources = await this.resources(apiVersion);
      if (resources === 'not-served') return 'not-served';
      r = resources.find((x) => matches(x, kind));
    }
    if (!r) return 'not-served';
    return { path: pathOf(apiVersion, r, namespace), hinted: false };
  }

  /** Discovery for one group/version, cached; a CRD installed later is rediscovered. */
  private resources(apiVersion: string): Promise<readonly ApiResource[] | 'not-served'> {
    let p = this.discovery.get(apiVersion);
    if (!p) {
      const path = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = this.send('GET', path, `discovering ${apiVersion}`).then((res) => {
        if (res.status === 404) return 'not-served' as const;
        this.check(res, `discovering ${apiVersion}`);
        const { resources } = this.json(res, `discovering ${apiVersion}`) as { resources: ApiResource[] };
        this.cache?.write(apiVersion, resources);
        return resources;
      });
      this.discovery.set(apiVersion, p);
      // Do not remember "not served": the CRD may be applied a moment later.
      void p.then(
        (r) => r === 'not-served' && this.discovery.delete(apiVersion),
        () => this.discovery.delete(apiVersion),
      );
    }
    return p;
  }

  private async send(method: string, path: string, doing: string, opts: { body?: unknown; contentType?: string; accept?: string; timeoutMs?: number } = {}): Promise<RestResponse> {
    try {
      return await this.rest.request(method, path, opts);
    } catch (e) {
      throw new DiagnosticsError([error('Cluster unreachable', `${doing} in ${this.where()} failed: ${(e as Error).message}. Check that the cluster is running and reachable from here.`)]);
    }
  }

  private check(res: RestResponse, doing: string): void {
    if (res.status >= 200 && res.status < 300) return;
    let message = res.body.slice(0, 1000);
    try {
      message = (JSON.parse(res.body) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401 || res.status === 403) {
      throw new DiagnosticsError([
        error('Not authorised', `${doing} in ${this.where()} was refused (HTTP ${res.status}): ${message}. meshctl needs cluster-admin rights on every cluster of the mesh.`),
      ]);
    }
    throw new DiagnosticsError([error('Kubernetes API error', `${doing} in ${this.where()} failed (HTTP ${res.status}): ${message}`)]);
  }

  /**
   * A successful answer's JSON. A proxy or login page in front of the API server answers 200
   * with HTML: that is the user's setup to fix, not a bug, and its text is not echoed (it may
   * hold anything, terminal escapes included).
   */
  private json(res: RestResponse, doing: string): unknown {
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      const looks = /^\s*</.test(res.body) ? 'HTML or XML (a proxy or login page?)' : 'not JSON';
      throw new DiagnosticsError([
        error('Not a Kubernetes API answer', `${doing} in ${this.where()}: the server answered HTTP ${res.status} with ${res.body.length} bytes of ${looks}, not the Kubernetes API's JSON.`, {
          hint: "Check the kubeconfig's server URL and any proxy between here and the API server.",
        }),
      ]);
    }
  }

  private where(): string {
    return `cluster "${this.cluster}" (context "${this.context}", server ${this.server})`;
  }
}

/**
 * Writes may take long on a loaded API server: applying a CRD makes it rebuild and publish its
 * OpenAPI document (docs/architecture.md, "Writes wait longer than reads").
 * The API server gives up on a request after 60 s by default (--request-timeout) and says so;
 * waiting a little longer lets the server, not meshctl, decide that a write failed. Reads keep
 * the 30 s default, so an unreachable cluster is still reported promptly.
 */
const WRITE_TIMEOUT_MS = 65_000;

function matches(r: ApiResource, kind: string): boolean {
  return r.kind === kind && !r.name.includes('/');
}

function pathOf(apiVersion: string, r: ApiResource, namespace: string | undefined): string {
  const root = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return r.namespaced && namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${r.name}` : `${root}/${r.name}`;
}

export { RestError };
