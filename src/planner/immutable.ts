// Fields the API server refuses to change on an existing object (422 "field is immutable"):
// when one differs, the only way to the wanted object is to delete it and create it again.
// Only fields meshctl renders are listed. The east-west gateway's selector carries its network
// (topology.istio.io/network), so moving a cluster to another network replaces its Deployment.
import { isDeepStrictEqual } from 'node:util';

const IMMUTABLE: Readonly<Record<string, readonly (readonly string[])[]>> = {
  // apps/v1: spec.selector of Deployments, DaemonSets and StatefulSets (apps validation).
  Deployment: [['spec', 'selector']],
  DaemonSet: [['spec', 'selector']],
  StatefulSet: [
    ['spec', 'selector'],
    ['spec', 'serviceName'],
    ['spec', 'volumeClaimTemplates'],
  ],
  // batch/v1: a Job's pod template.
  Job: [
    ['spec', 'selector'],
    ['spec', 'template'],
  ],
};

function at(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const k of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** True when `after` differs from `before` (the live object, projected) in an immutable field it sets. */
export function immutableChanged(before: unknown, after: unknown): boolean {
  const kind = (after as { kind?: string }).kind ?? '';
  return (IMMUTABLE[kind] ?? []).some((path) => at(after, path) !== undefined && at(before, path) !== undefined && !isDeepStrictEqual(at(before, path), at(after, path)));
}
