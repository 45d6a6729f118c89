// Certificate lifetimes. An expired root or intermediate stops istiod from issuing usable
// workload certificates (and Envoy rejects peers whose chains include it), so it is an error;
// one close to expiry is a warning early enough to rotate. `now` is a parameter: the checks
// are pure and tests pin the clock.
import type { X509Certificate } from 'node:crypto';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { fingerprintDer } from './fingerprint.js';
import { notAfter, notBefore, subjectOf } from './parse.js';

export const EXPIRY_SUMMARIES = {
  expired: 'Certificate expired',
  expiresSoon: 'Certificate expires soon',
  notYetValid: 'Certificate not yet valid',
} as const;

/** Warn this long before a certificate expires. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

export interface LabelledCertificate {
  /** How diagnostics name it, e.g. "cluster1's ca-cert.pem (/path/ca-cert.pem)". */
  readonly label: string;
  readonly cert: X509Certificate;
  /** mesh.yaml path the diagnostic points at. */
  readonly path: string;
}

export interface CheckExpiryOptions {
  readonly certificates: readonly LabelledCertificate[];
  readonly now: Date;
  readonly warningDays?: number;
}

/**
 * One diagnostic per distinct certificate (by fingerprint): the shared root appears in every
 * cluster's material but is reported once.
 */
export function checkExpiry(options: CheckExpiryOptions): Diagnostic[] {
  const warnMs = (options.warningDays ?? DEFAULT_EXPIRY_WARNING_DAYS) * 86_400_000;
  const now = options.now.getTime();
  const seen = new Set<string>();
  const diags: Diagnostic[] = [];
  for (const { label, cert, path } of options.certificates) {
    const id = fingerprintDer(cert.raw);
    if (seen.has(id)) continue;
    seen.add(id);
    const end = notAfter(cert);
    const start = notBefore(cert);
    const who = `${label} (${subjectOf(cert)}, ${id})`;
    if (end.getTime() <= now) {
      diags.push(
        error(EXPIRY_SUMMARIES.expired, `${who} expired on ${end.toISOString()}. Issue a new one before installing or upgrading the mesh.`, {
          path,
        }),
      );
    } else if (end.getTime() - now <= warnMs) {
      const days = Math.floor((end.getTime() - now) / 86_400_000);
      diags.push(
        warning(EXPIRY_SUMMARIES.expiresSoon, `${who} expires on ${end.toISOString()} (in ${days} day${days === 1 ? '' : 's'}). Rotate it before then; workloads lose mTLS when it lapses.`, { path }),
      );
    }
    if (start.getTime() > now) {
      diags.push(warning(EXPIRY_SUMMARIES.notYetValid, `${who} is valid only from ${start.toISOString()}. Check the clock of the machine that issued it; peers reject it until then.`, { path }));
    }
  }
  return diags;
}
