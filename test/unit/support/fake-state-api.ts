// An in-memory Kubernetes API for the Kubernetes state backend's unit tests: namespaced Secrets
// and Leases with the semantics the backend relies on — resourceVersion compare-and-swap on PUT
// (409), AlreadyExists on POST (409), delete preconditions, label-selector lists, 404 for a
// missing namespace on create, and 403 for verbs a test takes away. The e2e tests run the same
// backend against a real API server.
import type { KubeCaller } from '../../../src/state/kube-api.js';

interface Stored {
  obj: Record<string, unknown> & { metadata: Record<string, unknown> & { name: string; resourceVersion: string; labels?: Record<string, string> } };
}

export class FakeStateApi implements KubeCaller {
  readonly describe = 'context "fake"';
  readonly namespaces = new Set<string>(['meshctl-system']);
  /** "secrets/create" etc.: verbs refused with 403. */
  readonly forbidden = new Set<string>();
  readonly calls: string[] = [];
  private readonly store = new Map<string, Stored>();
  private rv = 100;
  /** Runs before a request is answered (a test's chance to interleave another writer). */
  beforeCall: ((method: string, path: string) => Promise<void> | void) | undefined;

  objects(resource: string): Array<Stored['obj']> {
    return [...this.store.entries()].filter(([k]) => k.includes(`/${resource}/`)).map(([, v]) => v.obj);
  }

  async call(method: string, path: string, opts: { body?: unknown } = {}): Promise<{ status: number; body: string }> {
    this.calls.push(`${method} ${path}`);
    await this.beforeCall?.(method, path);
    const m = /^\/(?:api\/v1|apis\/coordination\.k8s\.io\/v1)\/namespaces\/([^/]+)\/(secrets|leases)(?:\/([^/?]+))?(?:\?labelSelector=(.*))?$/.exec(path);
    if (!m) return answer(404, { message: `no route ${path}` });
    const [, ns, resource, name, selector] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const verb = method === 'GET' ? (name ? 'get' : 'list') : ({ POST: 'create', PUT: 'update', DELETE: 'delete' } as Record<string, string>)[method]!;
    if (this.forbidden.has(`${resource}/${verb}`)) return answer(403, { message: `${resource} is forbidden: User "ci" cannot ${verb} resource "${resource}" in the namespace "${ns}"` });
    const key = (n: string) => `${ns}/${resource}/${n}`;
    const body = opts.body as Stored['obj'] | undefined;
    switch (method) {
      case 'GET': {
        if (name) {
          const s = this.store.get(key(name));
          return s ? answer(200, s.obj) : answer(404, { message: `${resource} "${name}" not found` });
        }
        const [k, v] = decodeURIComponent(selector ?? '').split('=');
        const items = [...this.store.entries()].filter(([kk, s]) => kk.startsWith(`${ns}/${resource}/`) && (!k || s.obj.metadata.labels?.[k] === v)).map(([, s]) => s.obj);
        return answer(200, { items });
      }
      case 'POST': {
        if (!this.namespaces.has(ns)) return answer(404, { message: `namespaces "${ns}" not found` });
        const n = body!.metadata.name;
        if (this.store.has(key(n))) return answer(409, { message: `${resource} "${n}" already exists` });
        const obj = { ...body!, metadata: { ...body!.metadata, resourceVersion: String(++this.rv) } };
        this.store.set(key(n), { obj });
        return answer(201, obj);
      }
      case 'PUT': {
        const s = this.store.get(key(name!));
        if (!s) return answer(404, { message: `${resource} "${name}" not found` });
        if (body!.metadata.resourceVersion !== s.obj.metadata.resourceVersion)
          return answer(409, { message: 'the object has been modified; please apply your changes to the latest version and try again' });
        const obj = { ...body!, metadata: { ...body!.metadata, resourceVersion: String(++this.rv) } };
        s.obj = obj;
        return answer(200, obj);
      }
      case 'DELETE': {
        const s = this.store.get(key(name!));
        if (!s) return answer(404, { message: `${resource} "${name}" not found` });
        const pre = (body as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion;
        if (pre && pre !== s.obj.metadata.resourceVersion) return answer(409, { message: 'Precondition failed: ResourceVersion' });
        this.store.delete(key(name!));
        return answer(200, { status: 'Success' });
      }
    }
    return answer(405, { message: method });
  }
}

function answer(status: number, body: unknown): { status: number; body: string } {
  return { status, body: JSON.stringify(body) };
}
