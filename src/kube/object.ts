// The one shape every Kubernetes object has in meshctl, and the one way objects are named.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identity of an object inside one cluster (no cluster, no version). */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** "group" of an apiVersion: "" for core, "apps" for "apps/v1". */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function refOf(o: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name };
  return o.metadata.namespace ? { ...ref, namespace: o.metadata.namespace } : ref;
}

/**
 * The address of an object, the same everywhere (plan, state, output):
 * `cluster/Kind.group/namespace/name`, with "_" for cluster-scoped objects and no ".group"
 * for the core group. Group, not version, so a version bump is not a new object.
 */
export function objectAddress(cluster: string, ref: ObjectRef): string {
  const g = groupOf(ref.apiVersion);
  const kind = g ? `${ref.kind}.${g}` : ref.kind;
  return `${cluster}/${kind}/${ref.namespace ?? '_'}/${ref.name}`;
}

/** A LoadBalancer Service's first ingress IP (or hostname), as `kubectl get svc` shows it. */
export function loadBalancerAddress(svc: KubeObject | undefined): string | undefined {
  const ingress = (svc as { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } } | undefined)?.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip || ingress?.hostname || undefined;
}
