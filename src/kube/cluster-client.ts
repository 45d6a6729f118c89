// The narrow port through which everything meshctl does to a cluster passes: list per kind,
// read, server-side apply, delete. It discovers resource names once per group/version,
// counts requests (benchmarks report them) and turns failures into errors that name the
// cluster, context and server.
import type { RequestAuth } from './auth.js';
import { DiagnosticsError, error } from '../diagnostics.js';
import { groupOf, type KubeObject, type ObjectRef } from './object.js';
import { RestClient, RestError, type RestResponse } from './rest.js';

export const fieldManager = 'meshctl';

interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

export class ClusterClient {
  readonly cluster: string;
  readonly context: string;
  readonly server: string;
  private readonly rest: RestClient;
  private readonly discovery = new Map<string, Promise<readonly ApiResource[] | 'not-served'>>();

  constructor(opts: { cluster: string; context: string; server: string; auth: RequestAuth }) {
    this.cluster = opts.cluster;
    this.context = opts.context;
    this.server = opts.server;
    this.rest = new RestClient({ server: opts.server, auth: opts.auth });
  }

  /** API requests sent, discovery included. */
  get requests(): number {
    return this.rest.requests;
  }

  close(): void {
    this.rest.close();
  }

  /** Lists one kind (in one namespace, or all); 'not-served' when the API does not know the kind yet. */
  async list(apiVersion: string, kind: string, namespace?: string, opts: { labelSelector?: string } = {}): Promise<KubeObject[] | 'not-served'> {
    const path = await this.collectionPath(apiVersion, kind, namespace);
    if (path === 'not-served') return 'not-served';
    const q = opts.labelSelector ? `?labelSelector=${encodeURIComponent(opts.labelSelector)}` : '';
    const res = await this.send('GET', path + q, `listing ${kind}`);
    if (res.status === 404) return 'not-served';
    this.check(res, `listing ${kind}`);
    const items = (JSON.parse(res.body) as { items?: KubeObject[] }).items ?? [];
    // List items carry no apiVersion/kind; the request said what they are.
    return items.map((o) => ({ ...o, apiVersion, kind }));
  }

  async read(ref: ObjectRef): Promise<KubeObject | null> {
    const path = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    if (path === 'not-served') return null;
    const res = await this.send('GET', `${path}/${encodeURIComponent(ref.name)}`, `reading ${ref.kind} ${ref.name}`);
    if (res.status === 404) return null;
    this.check(res, `reading ${ref.kind} ${ref.name}`);
    return JSON.parse(res.body) as KubeObject;
  }

  /** Server-side apply as field manager "meshctl", taking over conflicting fields like istioctl does. */
  async apply(obj: KubeObject): Promise<KubeObject> {
    const doing = `applying ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
    const path = await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace);
    if (path === 'not-served') {
      throw new DiagnosticsError([error('Kind not served', `${doing} in ${this.where()}: the API server does not serve ${obj.apiVersion} ${obj.kind}. Is its CustomResourceDefinition installed?`)]);
    }
    const res = await this.send('PATCH', `${path}/${encodeURIComponent(obj.metadata.name)}?fieldManager=${fieldManager}&force=true`, doing, {
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
    this.check(res, doing);
    return JSON.parse(res.body) as KubeObject;
  }

  /** Deletes (background propagation); an object already gone is not an error. */
  async remove(ref: ObjectRef): Promise<'deleted' | 'absent'> {
    const doing = `deleting ${ref.kind} ${ref.name}`;
    const path = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    if (path === 'not-served') return 'absent';
    const res = await this.send('DELETE', `${path}/${encodeURIComponent(ref.name)}`, doing, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    if (res.status === 404) return 'absent';
    this.check(res, doing);
    return 'deleted';
  }

  private async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string | 'not-served'> {
    const resources = await this.resources(apiVersion);
    if (resources === 'not-served') return 'not-served';
    const r = resources.find((x) => x.kind === kind && !x.name.includes('/'));
    if (!r) return 'not-served';
    const root = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return r.namespaced && namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${r.name}` : `${root}/${r.name}`;
  }

  /** Discovery for one group/version, cached; a CRD installed later is rediscovered. */
  private resources(apiVersion: string): Promise<readonly ApiResource[] | 'not-served'> {
    let p = this.discovery.get(apiVersion);
    if (!p) {
      const path = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = this.send('GET', path, `discovering ${apiVersion}`).then((res) => {
        if (res.status === 404) return 'not-served' as const;
        this.check(res, `discovering ${apiVersion}`);
        return (JSON.parse(res.body) as { resources: ApiResource[] }).resources;
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

  private async send(method: string, path: string, doing: string, opts: { body?: unknown; contentType?: string } = {}): Promise<RestResponse> {
    try {
      return await this.rest.request(method, path, opts);
    } catch (e) {
      throw new DiagnosticsError([
        error('Cluster unreachable', `${doing} in ${this.where()} failed: ${(e as Error).message}. Check that the cluster is running and reachable from here.`),
      ]);
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
      throw new DiagnosticsError([error('Not authorised', `${doing} in ${this.where()} was refused (HTTP ${res.status}): ${message}. meshctl needs cluster-admin rights on every cluster of the mesh.`)]);
    }
    throw new DiagnosticsError([error('Kubernetes API error', `${doing} in ${this.where()} failed (HTTP ${res.status}): ${message}`)]);
  }

  private where(): string {
    return `cluster "${this.cluster}" (context "${this.context}", server ${this.server})`;
  }
}

export { RestError };
