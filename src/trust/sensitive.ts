// A private key held in memory. The material meshctl passes around (to the planner, to views,
// into logs and errors) is plain data that anyone may serialise; a key inside it must not
// come out when that happens. Wrapping the PEM in this tiny class makes every accidental path
// (JSON.stringify, util.inspect/console.log, template strings) print a placeholder, so only
// code that deliberately calls reveal() — the Secret builder and the file writer — sees bytes.
import { inspect } from 'node:util';

/** What every plan, view and log shows in place of a private key. */
export const SENSITIVE_PLACEHOLDER = '(sensitive)';

export class SensitivePem {
  // A true private field: not enumerable, not visible to structuredClone or deep-equality dumps.
  readonly #pem: string;

  constructor(pem: string) {
    this.#pem = pem;
  }

  /** The PEM text. Call only where the key must reach a file or the cacerts Secret. */
  reveal(): string {
    return this.#pem;
  }

  toJSON(): string {
    return SENSITIVE_PLACEHOLDER;
  }

  toString(): string {
    return SENSITIVE_PLACEHOLDER;
  }

  [inspect.custom](): string {
    return `SensitivePem ${SENSITIVE_PLACEHOLDER}`;
  }
}
