// The few Kubernetes REST calls the Kubernetes state backend makes (Secrets and Leases in one
// namespace), over a caller it is handed: the CLI gives it a ClusterClient, unit tests an
// in-memory API. Turns the answers a user can act on into diagnostics: a missing permission
// names the verb, resource and namespace, a missing namespace says how to create it.
import { DiagnosticsError, error } from '../diagnostics.js';

export interface KubeCaller {
  /** "context "cluster1"": where the calls go, for messages. */
  readonly describe: string;
  call(method: string, path: string, opts?: { body?: unknown; contentType?: string }): Promise<{ readonly status: number; readonly body: string }>;
}

export interface ApiObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

export type Resource = 'secrets' | 'leases';

/** The verbs of docs/state-backends.md's Role, by what each call needs. */
const VERB: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'update', DELETE: 'delete' };

export class NamespacedApi {
  constructor(
    private readonly caller: KubeCaller,
    readonly namespace: string,
  ) {}

  get describe(): string {
    return `namespace "${this.namespace}" (${this.caller.describe})`;
  }

  private path(resource: Resource, name?: string): string {
    const group = resource === 'leases' ? '/apis/coordination.k8s.io/v1' : '/api/v1';
    return `${group}/namespaces/${encodeURIComponent(this.namespace)}/${resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  async get<T extends ApiObject>(resource: Resource, name: string): Promise<T | null> {
    const res = await this.caller.call('GET', this.path(resource, name));
    if (res.status === 404) return null;
    this.check(res, 'GET', resource, name);
    return JSON.parse(res.body) as T;
  }

  async list<T extends ApiObject>(resource: Resource, labelSelector: string): Promise<T[]> {
    const res = await this.caller.call('GET', `${this.path(resource)}?labelSelector=${encodeURIComponent(labelSelector)}`);
    this.check(res, 'LIST', resource);
    return (JSON.parse(res.body) as { items?: T[] }).items ?? [];
  }

  /** 'conflict' when it exists already (someone else created it first). */
  async create<T extends ApiObject>(resource: Resource, obj: ApiObject): Promise<T | 'conflict'> {
    const res = await this.caller.call('POST', this.path(resource), { body: obj });
    if (res.status === 409) return 'conflict';
    this.check(res, 'POST', resource, obj.metadata.name);
    return JSON.parse(res.body) as T;
  }

  /** Replaces the object only if it still has obj.metadata.resourceVersion; 'conflict' otherwise. */
  async replace<T extends ApiObject>(resource: Resource, obj: ApiObject): Promise<T | 'conflict'> {
    const res = await this.caller.call('PUT', this.path(resource, obj.metadata.name), { body: obj });
    if (res.status === 409 || res.status === 404) return 'conflict';
    this.check(res, 'PUT', resource, obj.metadata.name);
    return JSON.parse(res.body) as T;
  }

  /** With a resourceVersion, deletes only that version ('conflict' if it changed). */
  async remove(resource: Resource, name: string, resourceVersion?: string): Promise<'deleted' | 'absent' | 'conflict'> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...(resourceVersion ? { preconditions: { resourceVersion } } : {}) };
    const res = await this.caller.call('DELETE', this.path(resource, name), { body });
    if (res.status === 404) return 'absent';
    if (res.status === 409) return 'conflict';
    this.check(res, 'DELETE', resource, name);
    return 'deleted';
  }

  private check(res: { status: number; body: string }, method: string, resource: Resource, name?: string): void {
    if (res.status >= 200 && res.status < 300) return;
    const message = messageOf(res.body);
    const verb = method === 'LIST' ? 'list' : (VERB[method] ?? method);
    const what = `${verb} ${resource}${name ? ` (${name})` : ''} in ${this.describe}`;
    if (res.status === 403) {
      throw new DiagnosticsError([
        error(
          'State backend permission missing',
          `meshctl may not ${what}: ${message}. The Kubernetes state backend needs, in that namespace only: get, list, create, update, delete on secrets, and get, create, update, delete on leases (coordination.k8s.io). docs/state-backends.md has a Role and RoleBinding to apply.`,
        ),
      ]);
    }
    if (res.status === 401) {
      throw new DiagnosticsError([error('State backend refused the credential', `Cannot ${what}: the API server does not accept this credential (HTTP 401): ${message}.`)]);
    }
    if (res.status === 404 && method === 'POST') {
      throw new DiagnosticsError([
        error(
          'State namespace missing',
          `Cannot ${what}: ${message}. meshctl does not create the namespace (it needs no rights outside it): kubectl create namespace ${this.namespace} --context …, then run again.`,
        ),
      ]);
    }
    throw new DiagnosticsError([error('State backend error', `Cannot ${what} (HTTP ${res.status}): ${message}`)]);
  }
}

function messageOf(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 500);
  } catch {
    return body.slice(0, 500);
  }
}
