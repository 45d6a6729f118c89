// What a user reads when an operation fails with diagnostics: "summary: detail" per line.
import { isDiagnosticsError } from '../../../src/diagnostics.js';

export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isDiagnosticsError(e)) return e.diagnostics.map((d) => `${d.summary}: ${d.detail}`).join('\n');
    throw e;
  }
  throw new Error('expected a failure');
}
