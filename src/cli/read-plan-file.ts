// A saved plan's text, for apply and show: bounded, and every failure a diagnostic naming it.
import { fail } from '../diagnostics.js';
import { MAX_PLAN_OR_STATE_BYTES, readFailure, readTextBoundedSync } from '../fs/read-bounded.js';

export function readPlanText(file: string): string {
  try {
    return readTextBoundedSync(file, { maxBytes: MAX_PLAN_OR_STATE_BYTES });
  } catch (e) {
    fail('Cannot read plan file', `${readFailure(file, e)}.`);
  }
}
