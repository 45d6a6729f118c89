// `meshctl state show ADDRESS`: one object's record and what meshctl last applied, as YAML; or
// a unit's record and its objects. Secret values were never in the state: each shows as the
// digest the state holds (sha256 of the decoded value), never as anything that looks like data.
import { stringify } from 'yaml';
import { isSensitive } from '../kube/sensitive.js';
import { count, objectLine, type ObjectRecordView, type UnitEntryView } from './state-words.js';

export const SENSITIVE_NOTE =
  'Secret values are not in the state: each shows as the SHA-256 digest the state holds (of the decoded value, as `base64 -d | sha256sum` gives it), with the fingerprint of a certificate.';

export function objectRecordText(address: string, r: ObjectRecordView): string {
  const rows: [string, string][] = [
    ['unit', r.unit],
    ['cluster', r.cluster],
    ['apiVersion', r.ref.apiVersion],
    ['status', r.status === 'applied' ? 'applied' : 'pending (an apply sent it, or was about to, and recorded no answer; the next plan checks the cluster)'],
    ['existed before', r.existedBefore ? "yes: it was there before meshctl (destroy gives back meshctl's fields and leaves it)" : 'no: meshctl created it (destroy deletes it)'],
  ];
  if (r.uid !== undefined) rows.push(['uid', r.uid]);
  if (r.resourceVersion !== undefined) rows.push(['resourceVersion', r.resourceVersion]);
  if (r.generation !== undefined) rows.push(['generation', String(r.generation)]);
  const lines = [`# ${address}`, ...table(rows), ''];
  if (r.applied === undefined) {
    lines.push('Applied: nothing recorded yet.');
  } else {
    lines.push('Applied (what meshctl last sent):');
    if (hasSensitive(r.applied)) lines.push(SENSITIVE_NOTE);
    lines.push('', stringify(digestForm(r.applied), { lineWidth: 0, sortMapEntries: false }).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

export function unitRecordText(u: UnitEntryView): string {
  const rows: [string, string][] = u.record
    ? [
        ['kind', u.record.kind],
        ['cluster', u.record.cluster],
        ['status', u.record.status === 'applied' ? 'applied' : 'applying (its waits were not yet satisfied)'],
        ['depends on', u.record.dependsOn.length ? u.record.dependsOn.join(', ') : '(nothing)'],
        [
          'outputs',
          Object.keys(u.record.outputs).length
            ? Object.entries(u.record.outputs)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')
            : '(none)',
        ],
      ]
    : [['record', 'none (only its objects name this unit)']];
  const lines = [`# unit ${u.id}`, ...table(rows), '', `${count(u.objects.length, 'object')}${u.objects.length ? ':' : '.'}`];
  for (const [address, r] of u.objects) lines.push(objectLine(address, r));
  return `${lines.join('\n')}\n`;
}

function table(rows: readonly [string, string][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

function hasSensitive(v: unknown): boolean {
  if (isSensitive(v)) return true;
  if (Array.isArray(v)) return v.some(hasSensitive);
  return v !== null && typeof v === 'object' && Object.values(v).some(hasSensitive);
}

/** A digest marker as one plain scalar: "(sensitive value) sha256:… certificate SHA256:…". */
function digestForm(v: unknown): unknown {
  if (isSensitive(v)) return `(sensitive value) ${v.$sensitive}${v.display ? ` ${v.display}` : ''}`;
  if (Array.isArray(v)) return v.map(digestForm);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, digestForm(x)]));
  return v;
}
