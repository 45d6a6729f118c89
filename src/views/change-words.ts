// How one planned change is named in every text view (human, Markdown): the + ~ - symbol, the
// object's name and the reason in words. One place, so a wording fix reaches every view.
import { groupOf } from '../kube/object.js';
import type { Action, Change, Plan, Reason } from '../planner/plan.js';

/** Terraform's symbols; `.` is its "forget" (no longer managed, left in place). */
export const actionSymbol: Readonly<Record<Action, string>> = { create: '+', update: '~', delete: '-', forget: '.', replace: '-/+', noop: ' ' };

const reasonText: Readonly<Record<Reason, string>> = {
  missing: '',
  'config-changed': 'mesh.yaml changed',
  drift: 'changed outside meshctl',
  'known-after-apply': 'values known after apply',
  removed: 'no longer in mesh.yaml',
  'written-by-istiod': 'written by istiod for this mesh',
  unreachable: 'cluster unreachable: forgotten, not deleted',
  unchanged: '',
};

/** "Gateway.networking.istio.io istio-system/cross-network-gateway" */
export function objectName(c: Pick<Change, 'ref'>): string {
  const g = groupOf(c.ref.apiVersion);
  return `${c.ref.kind}${g ? `.${g}` : ''} ${c.ref.namespace ? `${c.ref.namespace}/` : ''}${c.ref.name}`;
}

/**
 * The reason in words. A forget always says what it leaves behind. Two reasons read wrongly without the action or mode: `removed` in a
 * destroy is not "no longer in mesh.yaml" (the user asked to destroy; saying so on each line is
 * noise), and `drift` on a create means the object was deleted, not changed.
 */
export function reasonFor(c: Pick<Change, 'reason' | 'action'>, mode: Plan['mode']): string {
  if (c.action === 'forget') return "existed before meshctl: it stays, only meshctl's fields come off";
  if (c.action === 'replace') return `${reasonText[c.reason] ? `${reasonText[c.reason]}; ` : ''}must be replaced: a field that cannot change in place differs`;
  if (c.reason === 'removed' && mode === 'destroy') return '';
  if (c.reason === 'drift' && c.action === 'create') return 'deleted outside meshctl';
  return reasonText[c.reason];
}
