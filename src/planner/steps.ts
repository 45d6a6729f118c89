// A unit's changes as the steps apply carries out: consecutive objects of one kind rank go out
// together, ranks in order, and the waits that must hold before the next step follow the step
// that needs them. Planned here, so a reviewer sees every wait apply will make.
import type { ObjectRef } from '../kube/object.js';
import type { WaitFor } from '../model/desired.js';
import { objectKindRank } from './kind-order.js';
import type { Change, Step } from './plan.js';

/** Kinds whose deletion is finished only when the object is gone (finalizers). */
const WAIT_GONE = new Set(['Namespace', 'CustomResourceDefinition']);

export function stepsOf(changes: readonly Change[], waits: readonly WaitFor[]): Step[] {
  const steps: Step[] = [];
  for (const batch of byRank(changes)) {
    steps.push({ step: 'send', addresses: batch.map((c) => c.address) });
    // Custom resources of a CRD sent here can be applied only once the CRD is established.
    const crds = batch.filter((c) => c.ref.kind === 'CustomResourceDefinition' && (c.action === 'create' || c.action === 'update'));
    if (crds.length) steps.push({ step: 'wait', wait: { kind: 'crds-established', names: crds.map((c) => c.ref.name) } });
    const gone: ObjectRef[] = batch.filter((c) => c.action === 'delete' && WAIT_GONE.has(c.ref.kind)).map((c) => c.ref);
    if (gone.length) steps.push({ step: 'wait', wait: { kind: 'gone', refs: gone } });
  }
  for (const wait of waits) steps.push({ step: 'wait', wait });
  return steps;
}

/** Consecutive changes of equal kind rank, order kept (the planner lists them in apply order). */
function byRank(cs: readonly Change[]): Change[][] {
  const out: Change[][] = [];
  for (const c of cs) {
    const last = out.at(-1);
    if (last && objectKindRank(last[0]!.ref.kind) === objectKindRank(c.ref.kind)) last.push(c);
    else out.push([c]);
  }
  return out;
}
