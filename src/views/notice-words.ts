// The plan's notices in words, for every text view (human, Markdown): one place, so a wording
// fix reaches both. Pure: the planner decided what to report; this only names it.
import type { Notice } from '../planner/plan.js';

/** "Deployment istio-system/istiod" from an address `cluster/Deployment.apps/istio-system/istiod`. */
function objectOf(address: string): string {
  const [, kindGroup = '', ...rest] = address.split('/');
  return `${kindGroup.split('.')[0]} ${rest.join('/')}`;
}

/** One paragraph per warning-like notice (unreachable, unmanaged Istio), in plan order. */
export function warningTexts(notices: readonly Notice[]): string[] {
  const out: string[] = [];
  for (const n of notices) {
    switch (n.kind) {
      case 'cluster-unreachable':
        out.push(
          n.forgotten
            ? `Cluster ${n.cluster} left mesh.yaml and cannot be reached: ${n.error} With --forget-unreachable its ${n.objects} object(s) are forgotten: removed from the state only, so whatever of them is still in ${n.cluster} stays there.`
            : `Cluster ${n.cluster} left mesh.yaml and cannot be reached: ${n.error} Its ${n.objects} object(s) stay in the state and are not touched; what names it in other clusters (remote secrets) is still removed. Bring it back and plan again to remove them, or run with --forget-unreachable to forget them.`,
        );
        break;
      case 'unmanaged-istio':
        out.push(
          `Cluster ${n.cluster} is new to the state but already runs istiod (${n.addresses.map(objectOf).join(', ')}), installed by hand or by another tool: this plan takes that installation over, and the changes below are made to it. If someone else manages it, stop here.`,
        );
        break;
      case 'restart':
        break;
      default: {
        const never: never = n;
        throw new Error(`unexpected notice ${JSON.stringify(never)}: this is a bug in meshctl`);
      }
    }
  }
  return out;
}

/** "cluster4: Deployment istio-system/istiod" for each workload whose pods the plan replaces. */
export function restartTexts(notices: readonly Notice[]): string[] {
  return notices.flatMap((n) => (n.kind === 'restart' ? [`${n.cluster}: ${objectOf(n.address)} (${n.unit})`] : []));
}

export const RESTARTS_HEADING = 'Restarts (the pod template changes, so these pods are replaced):';
