// Secret values never enter a plan, the state or output. Wherever one would appear, a
// Sensitive marker stands in, holding a SHA-256 digest so two values can still be compared
// (has the token changed?) without revealing either.
// node:crypto is looked up on use, not imported: the bundler puts this module in a chunk with
// small helpers every command loads, and `meshctl validate` should not pay for node:crypto.
const crypto = () => process.getBuiltinModule('node:crypto');

export interface Sensitive {
  readonly $sensitive: string;
  /**
   * What may be shown instead of the value: for a PEM certificate, its SHA-256 fingerprint
   * (certificates are public; they sit in Secrets next to keys, as in cacerts).
   */
  readonly display?: string;
}

export function isSensitive(v: unknown): v is Sensitive {
  return typeof v === 'object' && v !== null && '$sensitive' in v;
}

export function sensitive(value: string | Buffer): Sensitive {
  const digest = `sha256:${crypto().createHash('sha256').update(value).digest('hex')}`;
  const display = certificateFingerprint(value);
  return display ? { $sensitive: digest, display } : { $sensitive: digest };
}

// A plan masks the same certificates twice (desired and live) in every cluster, so the
// fingerprints are remembered by text instead of parsing each certificate again.
const fingerprints = new Map<string, string | undefined>();

/** "certificate SHA256:ab:cd:…" for text that is only PEM certificates (first one); else undefined. */
function certificateFingerprint(value: string | Buffer): string | undefined {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (!text.trimStart().startsWith('-----BEGIN CERTIFICATE-----') || text.includes('PRIVATE KEY')) return undefined;
  if (!fingerprints.has(text)) fingerprints.set(text, fingerprintOf(text));
  return fingerprints.get(text);
}

function fingerprintOf(text: string): string | undefined {
  try {
    const fp = new (crypto().X509Certificate)(text).fingerprint256.toLowerCase();
    return `certificate SHA256:${fp}`;
  } catch {
    return undefined;
  }
}

/** Replaces every value of a Secret's `data`/`stringData` with its digest marker. */
export function maskSecretData<T extends { kind?: unknown; data?: unknown; stringData?: unknown }>(o: T): T {
  if (o.kind !== 'Secret') return o;
  const out: Record<string, unknown> = { ...o };
  for (const field of ['data', 'stringData'] as const) {
    const d = o[field];
    if (d && typeof d === 'object') {
      out[field] = Object.fromEntries(Object.entries(d as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? sensitive(field === 'data' ? Buffer.from(v, 'base64') : v) : v]));
    }
  }
  return out as T;
}
