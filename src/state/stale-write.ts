// The one refusal every backend gives when the stored state moved under a writer: another run
// wrote it (it ignored the lock, or the lock was broken or taken over). Writing anyway would
// erase that run's records, so a later destroy would forget what it made.
import { DiagnosticsError, error } from '../diagnostics.js';
import type { Envelope } from './backend.js';

export function staleWrite(where: string, o: { expected: Envelope | null; found: Envelope | null }): DiagnosticsError {
  const found = o.found === null ? 'no state at all' : o.expected && o.found.lineage !== o.expected.lineage ? `a state of another lineage (${o.found.lineage})` : `serial ${o.found.serial}`;
  const had = o.expected === null ? 'no state' : `serial ${o.expected.serial}`;
  return new DiagnosticsError([
    error(
      'State changed by another run',
      `${where} now holds ${found}, but this run started from ${had}: another meshctl wrote it meanwhile (its lock was broken or taken over). Nothing was written. Run meshctl plan to see where the mesh stands now, then apply again.`,
    ),
  ]);
}
