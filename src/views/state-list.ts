// `meshctl state list`: units in state order, each with its objects, for people; and the same
// as JSON for scripts (flat lists, so `jq '.objects[] | select(.existedBefore)'` reads well).
import { count, EXISTED_BEFORE, objectLine, stateHeading, unitHeading, type StateHeader, type UnitEntryView } from './state-words.js';

export interface StateListing {
  readonly header: StateHeader;
  readonly units: readonly UnitEntryView[];
  /** The prefixes asked for; none lists everything. */
  readonly prefixes: readonly string[];
}

export function stateListText(l: StateListing): string {
  const lines = [`${stateHeading(l.header)}${l.prefixes.length ? `, under ${l.prefixes.join(', ')}` : ''}:`];
  for (const u of l.units) {
    lines.push('', unitHeading(u));
    for (const [address, r] of u.objects) lines.push(objectLine(address, r));
    if (u.objects.length === 0) lines.push('    (no objects)');
  }
  const objects = l.units.flatMap((u) => u.objects.map(([, r]) => r));
  const notes = [
    ...(objects.some((r) => r.existedBefore) ? [`${objects.filter((r) => r.existedBefore).length} ${EXISTED_BEFORE}`] : []),
    ...(objects.some((r) => r.status === 'pending') ? [`${objects.filter((r) => r.status === 'pending').length} pending (sent by an apply that did not record the answer)`] : []),
  ];
  if (l.units.length === 0) lines.push('', 'The state records no units: nothing has been applied, or everything was destroyed.');
  else lines.push('', `${count(l.units.length, 'unit')}, ${count(objects.length, 'object')}${notes.length ? `: ${notes.join(', ')}` : ''}.`);
  return `${lines.join('\n')}\n`;
}

export function stateListJson(l: StateListing): string {
  const doc = {
    format_version: '1',
    meshID: l.header.meshID,
    lineage: l.header.lineage,
    serial: l.header.serial,
    units: l.units.map((u) => ({
      id: u.id,
      recorded: u.record !== undefined,
      ...(u.record ? { cluster: u.record.cluster, kind: u.record.kind, status: u.record.status, dependsOn: u.record.dependsOn } : {}),
      objects: u.objects.map(([address]) => address),
    })),
    objects: l.units.flatMap((u) =>
      u.objects.map(([address, r]) => ({
        address,
        unit: r.unit,
        cluster: r.cluster,
        apiVersion: r.ref.apiVersion,
        kind: r.ref.kind,
        ...(r.ref.namespace !== undefined ? { namespace: r.ref.namespace } : {}),
        name: r.ref.name,
        status: r.status,
        existedBefore: r.existedBefore,
      })),
    ),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
