// `meshctl state mv OLD NEW`: which records moved (or, with --dry-run, would), where the state
// as it was is kept, and what the next plan will show: only what carries the cluster ID.
import { count, stateInSentence, type StateHeader } from './state-words.js';

export interface ClusterMoveView {
  /** The state before the move. */
  readonly header: StateHeader;
  readonly from: string;
  readonly to: string;
  readonly units: readonly { readonly from: string; readonly to: string; readonly objects: number }[];
  /** The other clusters whose remote secret for `from` moves (primaries it is a remote of, or peers). */
  readonly remoteSecretsIn: readonly string[];
  /** How many object addresses change (the objects of `from`). */
  readonly objects: number;
  /** The context the state recorded for `from`, and the one mesh.yaml gives `to`. */
  readonly contexts: { readonly recorded?: string; readonly named: string };
  readonly done?: { readonly serial: number; readonly backup: string };
}

export function clusterMoveText(m: ClusterMoveView): string {
  const heading = stateInSentence(m.header);
  const lines = [m.done ? `Moved cluster ${m.from} to ${m.to} in the ${heading}, now serial ${m.done.serial}:` : `meshctl state mv would move cluster ${m.from} to ${m.to} in the ${heading}:`];
  for (const u of m.units) lines.push(`  - unit ${u.from} → ${u.to}${u.objects ? ` (${count(u.objects, 'object')})` : ''}`);
  lines.push(`  ${m.objects} object address${m.objects === 1 ? '' : 'es'} ${m.from}/… → ${m.to}/…`);
  if (m.contexts.recorded !== undefined) lines.push(`  the connection record: context ${m.contexts.recorded}`);
  lines.push('');
  if (m.done) lines.push(`The state as it was is saved in ${m.done.backup} (meshctl state push --force ${m.done.backup} puts it back).`, '');
  if (m.contexts.recorded !== undefined && m.contexts.recorded !== m.contexts.named) {
    lines.push(
      `Mind the contexts: the state reached ${m.from} through context ${m.contexts.recorded}, and mesh.yaml reaches ${m.to} through context ${m.contexts.named}. The next plan looks for these objects there; if that is another cluster, it will plan to create them all${m.done ? ': put the state back as above' : ''}.`,
      '',
    );
  }
  lines.push(
    `${m.done ? 'No cluster was touched.' : 'Nothing was changed (--dry-run); without it, no cluster would be touched either.'} The next meshctl plan finds ${m.from}'s objects under ${m.to} and changes only what carries the Istio cluster ID: ${idCarriers(m)}.`,
  );
  return `${lines.join('\n')}\n`;
}

function idCarriers(m: ClusterMoveView): string {
  const remote = m.remoteSecretsIn.length ? [`in ${m.remoteSecretsIn.join(', ')} the remote secret istio-remote-secret-${m.from}, replaced by istio-remote-secret-${m.to}`] : [];
  const items = ['the cluster ID istioctl renders into its control plane or remote configuration (values.global.multiCluster.clusterName)', 'the injection path', ...remote];
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
