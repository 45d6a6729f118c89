// What a reviewer must be told besides the changes themselves: a departed cluster that could
// not be read, a cluster new to the state that already runs istiod, and which workloads restart.
// Pure, like the rest of the planner: it looks only at the plan's input and its changes.
import type { KubeObject } from '../kube/object.js';
import type { PlanInput } from './plan-mesh.js';
import type { Change, Notice } from './plan.js';

/** Workload kinds whose pods are replaced when their pod template changes. */
const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

/** The label istiod's Deployment carries in every revision (manifests/charts/istio-control). */
const ISTIOD_LABEL = { key: 'app', value: 'istiod' } as const;

export function noticesOf(input: PlanInput, changes: readonly Change[]): Notice[] {
  return [...unreachableNotices(input), ...unmanagedIstio(input), ...restarts(changes)];
}

function unreachableNotices(input: PlanInput): Notice[] {
  const objects = Object.values(input.prior?.objects ?? {});
  return [...(input.observed.unreachable ?? new Map<string, string>())]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cluster, error]) => ({ kind: 'cluster-unreachable', cluster, error, objects: objects.filter((o) => o.cluster === cluster).length, forgotten: input.forgetUnreachable === true }));
}

/**
 * Clusters the state knows nothing of that already run istiod: what meshctl applies there takes
 * over an Istio someone else installed, and the reviewer must see that before it happens.
 */
function unmanagedIstio(input: PlanInput): Notice[] {
  if (input.mode !== 'apply') return [];
  const known = new Set([...Object.values(input.prior?.objects ?? {}).map((o) => o.cluster), ...(input.prior?.units ?? []).map((u) => u.cluster)]);
  const fresh = new Set(input.desired.units.map((u) => u.cluster).filter((c) => !known.has(c)));
  const found = new Map<string, string[]>();
  for (const [address, o] of input.observed.objects) {
    const cluster = address.slice(0, address.indexOf('/'));
    if (!fresh.has(cluster) || !isIstiod(o)) continue;
    found.set(cluster, [...(found.get(cluster) ?? []), address]);
  }
  return [...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cluster, addresses]) => ({ kind: 'unmanaged-istio', cluster, addresses: addresses.sort() }));
}

function isIstiod(o: KubeObject): boolean {
  const labels = (o.metadata as { labels?: Record<string, string> }).labels;
  return o.kind === 'Deployment' && labels?.[ISTIOD_LABEL.key] === ISTIOD_LABEL.value;
}

/** Updates that change a workload's pod template, and replaced workloads: their pods restart. */
function restarts(changes: readonly Change[]): Notice[] {
  return changes
    .filter(
      (c) => WORKLOADS.has(c.ref.kind) && (c.action === 'replace' || (c.action === 'update' && (c.patch ?? []).some((op) => op.path === '/spec/template' || op.path.startsWith('/spec/template/')))),
    )
    .map((c) => ({ kind: 'restart', cluster: c.cluster, unit: c.unit, address: c.address }));
}

export const istiodSelector = `${ISTIOD_LABEL.key}=${ISTIOD_LABEL.value}`;
