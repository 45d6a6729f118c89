// Secret values never enter a plan, the state or output. Wherever one would appear, a
// Sensitive marker stands in, holding a SHA-256 digest so two values can still be compared
// (has the token changed?) without revealing either.
import { createHash } from 'node:crypto';

export interface Sensitive {
  readonly $sensitive: string;
}

export function isSensitive(v: unknown): v is Sensitive {
  return typeof v === 'object' && v !== null && '$sensitive' in v;
}

export function sensitive(value: string | Buffer): Sensitive {
  return { $sensitive: `sha256:${createHash('sha256').update(value).digest('hex')}` };
}

/** Replaces every value of a Secret's `data`/`stringData` with its digest marker. */
export function maskSecretData<T extends { kind?: unknown; data?: unknown; stringData?: unknown }>(o: T): T {
  if (o.kind !== 'Secret') return o;
  const out: Record<string, unknown> = { ...o };
  for (const field of ['data', 'stringData'] as const) {
    const d = o[field];
    if (d && typeof d === 'object') {
      out[field] = Object.fromEntries(
        Object.entries(d as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === 'string' ? sensitive(field === 'data' ? Buffer.from(v, 'base64') : v) : v,
        ]),
      );
    }
  }
  return out as T;
}
