// Turning PEM text into Node X509Certificate objects for the checks. Parsing is where user
// files first meet meshctl, so failures come back as a reason string the caller wraps in a
// Diagnostic naming the file — never as an exception.
import { X509Certificate } from 'node:crypto';
import { splitCertificates } from './pem.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

// The same PEM text is parsed many times in one plan (every cluster's cacerts carry the shared
// root; the trust checks and the live checks read the same files), so parses are shared.
// X509Certificate objects are immutable, so sharing them is safe.
const parsedByText = new Map<string, Parsed<X509Certificate[]>>();

/** Every certificate in a bundle, in order; at least one. */
export function parseCertificates(text: string): Parsed<X509Certificate[]> {
  let parsed = parsedByText.get(text);
  if (parsed === undefined) {
    parsed = parseUncached(text);
    parsedByText.set(text, parsed);
  }
  // A copy of the list: callers may sort or slice it.
  return parsed.ok ? { ok: true, value: [...parsed.value] } : parsed;
}

function parseUncached(text: string): Parsed<X509Certificate[]> {
  const pems = splitCertificates(text);
  if (pems.length === 0) return { ok: false, reason: 'it contains no PEM "CERTIFICATE" block' };
  const certs: X509Certificate[] = [];
  for (const [i, pem] of pems.entries()) {
    try {
      certs.push(new X509Certificate(pem));
    } catch (e) {
      return { ok: false, reason: `certificate ${i + 1} cannot be parsed (${(e as Error).message})` };
    }
  }
  return { ok: true, value: certs };
}

/** The first certificate of the text; the rest, if any, is ignored (root-cert.pem, ca-cert.pem). */
export function parseCertificate(text: string): Parsed<X509Certificate> {
  const all = parseCertificates(text);
  return all.ok ? { ok: true, value: all.value[0]! } : all;
}

/** A short human name for a certificate in diagnostics: its subject on one line. */
export function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

/** validTo as a Date (Node 20 has only the string form). */
export function notAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

export function notBefore(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}
