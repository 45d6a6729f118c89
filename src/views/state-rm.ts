// `meshctl state rm`: what was forgotten (or, with --dry-run, would be), where the state as
// it was is kept, and what forgetting means: the clusters keep the objects, unmanaged.
import { count, stateInSentence, type StateHeader, type UnitEntryView } from './state-words.js';

export interface RemovalView {
  /** The state before the removal. */
  readonly header: StateHeader;
  /** Units named, each forgotten with all its objects. */
  readonly units: readonly UnitEntryView[];
  /** Objects named one by one (not in a unit named). */
  readonly objects: readonly string[];
  /** The outcome; absent for --dry-run. */
  readonly done?: { readonly serial: number; readonly backup: string };
}

export function removalText(r: RemovalView): string {
  const lines = [r.done ? `Removed from the ${stateInSentence(r.header)}, now serial ${r.done.serial}:` : `meshctl state rm would remove from the ${stateInSentence(r.header)}:`];
  for (const u of r.units) {
    lines.push(`  - unit ${u.id}${u.record ? '' : ' (no unit record)'}${u.objects.length ? `, with its ${count(u.objects.length, 'object')}:` : ', which records no objects'}`);
    for (const [address] of u.objects) lines.push(`      ${address}`);
  }
  for (const address of r.objects) lines.push(`  - ${address}`);
  const n = r.objects.length + r.units.reduce((k, u) => k + u.objects.length, 0);
  lines.push('');
  if (r.done) lines.push(`The state as it was is saved in ${r.done.backup} (meshctl state push --force ${r.done.backup} puts it back).`, '');
  const these = n === 1 ? 'this object stays there' : `these ${n} objects stay there`;
  lines.push(
    r.done
      ? `No cluster was touched: ${these}, and meshctl no longer manages ${n === 1 ? 'it' : 'them'}.`
      : `Nothing was changed (--dry-run). Without it, no cluster would be touched either: ${these}, and meshctl would no longer manage ${n === 1 ? 'it' : 'them'}.`,
    'A later plan treats forgotten objects as never seen: those mesh.yaml still describes are planned again, created if they are gone and adopted if they are there (adopted objects count as existing before meshctl, so destroy leaves them in place); the others stay in the clusters, unmanaged.',
  );
  return `${lines.join('\n')}\n`;
}
