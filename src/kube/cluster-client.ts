// The narrow port through which everything meshctl does to a cluster passes: list per kind,
// read, server-side apply, delete. It counts requests (benchmarks report them) and turns
// transport failures into errors that name the cluster, context and server.
import * as k8s from '@kubernetes/client-node';
import { DiagnosticsError, error } from '../diagnostics.js';
import type { KubeObject, ObjectRef } from './object.js';

export const fieldManager = 'meshctl';

export class ClusterClient {
  readonly cluster: string;
  readonly context: string;
  readonly kc: k8s.KubeConfig;
  readonly server: string;
  private readonly api: k8s.KubernetesObjectApi;
  /** API requests sent (discovery included, as the object API makes them). */
  requests = 0;

  constructor(opts: { cluster: string; context: string; kc: k8s.KubeConfig }) {
    this.cluster = opts.cluster;
    this.context = opts.context;
    this.kc = opts.kc;
    this.server = opts.kc.getCurrentCluster()?.server ?? '(unknown server)';
    // Built like kc.makeApiClient, plus a middleware that counts requests at the HTTP layer
    // so discovery requests are included.
    const config = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(this.server, {}),
      authMethods: { default: opts.kc },
      promiseMiddleware: [
        {
          pre: async (ctx: k8s.RequestContext) => {
            this.requests++;
            return ctx;
          },
          post: async (ctx: k8s.ResponseContext) => ctx,
        },
      ],
    });
    this.api = new k8s.KubernetesObjectApi(config);
    (this.api as unknown as { setDefaultNamespace(kc: k8s.KubeConfig): void }).setDefaultNamespace(opts.kc);
  }

  /** Lists one kind (in one namespace, or all); 'not-served' when the API does not know the kind yet. */
  async list(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[] | 'not-served'> {
    try {
      const res = await this.api.list(apiVersion, kind, namespace);
      return (res.items as unknown as KubeObject[]).map((o) => ({ ...o, apiVersion, kind }));
    } catch (e) {
      if (isNotServed(e)) return 'not-served';
      throw this.wrap(e, `listing ${kind}`);
    }
  }

  async read(ref: ObjectRef): Promise<KubeObject | null> {
    try {
      return (await this.api.read(header(ref))) as unknown as KubeObject;
    } catch (e) {
      if (status(e) === 404 || isNotServed(e)) return null;
      throw this.wrap(e, `reading ${ref.kind} ${ref.name}`);
    }
  }

  /** Server-side apply as field manager "meshctl", taking over conflicting fields like istioctl does. */
  async apply(obj: KubeObject): Promise<KubeObject> {
    try {
      return (await this.api.patch(obj as k8s.KubernetesObject, undefined, undefined, fieldManager, true, k8s.PatchStrategy.ServerSideApply)) as unknown as KubeObject;
    } catch (e) {
      throw this.wrap(e, `applying ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`);
    }
  }

  /** Deletes in the foreground; an object already gone is not an error. */
  async remove(ref: ObjectRef): Promise<'deleted' | 'absent'> {
    try {
      await this.api.delete(header(ref) as k8s.KubernetesObject, undefined, undefined, undefined, undefined, 'Background');
      return 'deleted';
    } catch (e) {
      if (status(e) === 404 || isNotServed(e)) return 'absent';
      throw this.wrap(e, `deleting ${ref.kind} ${ref.name}`);
    }
  }

  private wrap(e: unknown, doing: string): DiagnosticsError {
    const code = status(e);
    const where = `cluster "${this.cluster}" (context "${this.context}", server ${this.server})`;
    if (code === undefined) {
      return new DiagnosticsError([
        error('Cluster unreachable', `${doing} in ${where} failed: ${describe(e)}. Check that the cluster is running and reachable from here.`),
      ]);
    }
    if (code === 401 || code === 403) {
      return new DiagnosticsError([error('Not authorised', `${doing} in ${where} was refused (HTTP ${code}): ${bodyMessage(e)}. meshctl needs cluster-admin rights on every cluster of the mesh.`)]);
    }
    return new DiagnosticsError([error('Kubernetes API error', `${doing} in ${where} failed (HTTP ${code}): ${bodyMessage(e)}`)]);
  }
}

function header(ref: ObjectRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name } };
}

function status(e: unknown): number | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

function isNotServed(e: unknown): boolean {
  const msg = (e as Error)?.message ?? '';
  // The object API's discovery answers 404 for an unknown group/version, and throws this
  // message when the group/version is served but the kind is not.
  return /Unrecognized API version and kind/i.test(msg) || (status(e) === 404 && /\/apis?\//.test(msg) && !/"kind":"Status"/.test(msg) && /resource list/i.test(msg));
}

function bodyMessage(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body.slice(0, 500);
    }
  }
  return describe(e);
}

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string }; code?: string };
  const cause = err?.cause?.code ?? err?.code;
  return [err?.message?.split('\n')[0], typeof cause === 'string' ? `(${cause})` : ''].filter(Boolean).join(' ');
}
