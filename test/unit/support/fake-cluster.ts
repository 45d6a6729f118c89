// An in-memory stand-in for ClusterClient (src/kube/cluster-client.ts) at the Kubernetes
// boundary: list/read/apply/remove/annotate over a map of objects, a request counter, and a log of
// calls shared across clusters so tests can see the order of requests. apply is
// server-side-apply-ish: maps merge, everything else (lists included) is replaced, and the
// server adds identity, resourceVersion and what controllers would report as ready.
import { DiagnosticsError, error } from '../../../src/diagnostics.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import { objectAddress, refOf, type KubeObject, type ObjectRef } from '../../../src/kube/object.js';
import type { Diagnostic } from '../../../src/diagnostics.js';

export interface FakeClusterOptions {
  /** Shared across fakes to observe the global order of requests. */
  readonly log?: string[];
  /** Called inside every apply before it takes effect (block it to observe concurrency). */
  readonly beforeApply?: (obj: KubeObject, cluster: string) => Promise<void> | void;
  /** Status the "controllers" give an object once applied; default: ready (see ready()). */
  readonly statusOf?: (obj: KubeObject) => Record<string, unknown> | undefined;
  /** Called after an annotation was set (a controller reacting to the change). */
  readonly afterAnnotate?: (ref: ObjectRef, fake: FakeCluster) => void;
}

export class FakeCluster {
  readonly context: string;
  readonly server: string;
  requests = 0;
  applies = 0;
  /** As ClusterClient's: a fake is reached safely. */
  readonly warnings: readonly Diagnostic[] = [];
  readonly objects = new Map<string, KubeObject>();
  /** apply number (1-based) from which apply throws before taking effect; Infinity: never. */
  failFromApply = Infinity;
  /** apply number from which apply takes effect, then throws (the response was lost). */
  loseResponseFromApply = Infinity;
  private readonly log: string[];
  private rv = 100;
  private uid = 0;

  constructor(
    readonly cluster: string,
    private readonly opts: FakeClusterOptions = {},
  ) {
    this.context = `kind-${cluster}`;
    this.server = `https://${cluster}.test:6443`;
    this.log = opts.log ?? [];
  }

  asClient(): ClusterClient {
    return this as unknown as ClusterClient;
  }

  private key(ref: ObjectRef): string {
    return objectAddress(this.cluster, ref);
  }

  private note(verb: string, ref: ObjectRef): void {
    this.log.push(`${verb} ${this.key(ref)}`);
  }

  /** An object that exists before meshctl runs. */
  seed(obj: KubeObject): KubeObject {
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, uid: `seed-${++this.uid}`, resourceVersion: String(++this.rv) } };
    this.objects.set(this.key(refOf(obj)), stored);
    return stored;
  }

  async list(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]> {
    this.requests++;
    return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace)).map((o) => structuredClone(o));
  }

  async read(ref: ObjectRef): Promise<KubeObject | null> {
    this.requests++;
    this.note('read', ref);
    const o = this.objects.get(this.key(ref));
    return o ? structuredClone(o) : null;
  }

  async apply(obj: KubeObject): Promise<KubeObject> {
    this.requests++;
    const n = ++this.applies;
    await this.opts.beforeApply?.(obj, this.cluster);
    if (n >= this.failFromApply) throw this.unreachable(obj, `connection reset by peer (apply #${n})`);
    this.note('apply', refOf(obj));
    const key = this.key(refOf(obj));
    const existing = this.objects.get(key);
    const merged = merge(existing ?? {}, structuredClone(obj)) as KubeObject;
    merged.metadata = {
      ...merged.metadata,
      uid: existing?.metadata.uid ?? `uid-${this.cluster}-${++this.uid}`,
      resourceVersion: String(++this.rv),
      managedFields: [{ manager: 'meshctl', operation: 'Apply' }],
    };
    const status = (this.opts.statusOf ?? ready)(merged);
    if (status) merged.status = status;
    this.objects.set(key, merged);
    if (n >= this.loseResponseFromApply) throw this.unreachable(obj, `stream closed before the response to apply #${n}`);
    return structuredClone(merged);
  }

  /** How ClusterClient reports a transport failure. */
  private unreachable(obj: KubeObject, why: string): DiagnosticsError {
    return new DiagnosticsError([
      error('Cluster unreachable', `applying ${obj.kind} ${obj.metadata.name} in cluster "${this.cluster}" (context "${this.context}", server ${this.server}) failed: ${why}.`),
    ]);
  }

  async remove(ref: ObjectRef): Promise<'deleted' | 'absent'> {
    this.requests++;
    this.note('remove', ref);
    return this.objects.delete(this.key(ref)) ? 'deleted' : 'absent';
  }

  async annotate(ref: ObjectRef, key: string, value: string): Promise<'annotated' | 'absent'> {
    this.requests++;
    this.note('annotate', ref);
    const o = this.objects.get(this.key(ref));
    if (!o) return 'absent';
    o.metadata = { ...o.metadata, annotations: { ...o.metadata.annotations, [key]: value }, resourceVersion: String(++this.rv) };
    this.opts.afterAnnotate?.(ref, this);
    return 'annotated';
  }

  get(ref: KubeObject): KubeObject | undefined {
    return this.objects.get(this.key(refOf(ref)));
  }
}

/** What controllers report soon after an apply on a healthy cluster. */
export function ready(o: KubeObject): Record<string, unknown> | undefined {
  switch (o.kind) {
    case 'CustomResourceDefinition':
      return { conditions: [{ type: 'Established', status: 'True' }] };
    case 'Deployment': {
      // Rolled out: every replica updated and available (what kubectl rollout status waits for).
      const n = (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      return {
        observedGeneration: (o.metadata.generation as number | undefined) ?? 0,
        replicas: n,
        updatedReplicas: n,
        readyReplicas: n,
        availableReplicas: n,
        conditions: [{ type: 'Available', status: 'True' }],
      };
    }
    case 'Service':
      return (o.spec as { type?: string } | undefined)?.type === 'LoadBalancer' ? { loadBalancer: { ingress: [{ ip: '172.18.255.1' }] } } : undefined;
    default:
      return undefined;
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(into: unknown, from: unknown): unknown {
  if (!isMap(into) || !isMap(from)) return from;
  const out: Record<string, unknown> = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = k in into ? merge(into[k], v) : v;
  return out;
}
