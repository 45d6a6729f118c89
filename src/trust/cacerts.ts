// The two faces of a cluster's cacerts Secret. describeCacerts is what a plan, the state file
// and every view may show: fingerprints for certificates and a placeholder for the key, so a
// changed intermediate shows up as a changed fingerprint without a byte of secret. cacertsData
// is what the executor sends to the API server, and the only place the key leaves memory for
// a cluster.
import { fingerprint } from './fingerprint.js';
import type { CacertsCertificates, CacertsKey, ClusterCaMaterial } from './material.js';
import { parseCertificates } from './parse.js';
import { SENSITIVE_PLACEHOLDER } from './sensitive.js';

/** Plan-safe: certificate fingerprints (the chain's joined by ", "), "(sensitive)" for the key. */
export type CacertsDescription = Readonly<Record<CacertsKey, string>>;

/** Shown when text holds no parseable certificate (e.g. a hand-edited live Secret). */
export const UNREADABLE_PLACEHOLDER = '(not a certificate)';

/**
 * Works on desired material and on live Secret data alike (both carry the three certificate
 * texts), so the planner can compare the two descriptions directly.
 */
export function describeCacerts(certs: CacertsCertificates): CacertsDescription {
  return {
    'ca-cert.pem': describeBundle(certs.caCert, { first: true }),
    'ca-key.pem': SENSITIVE_PLACEHOLDER,
    'root-cert.pem': describeBundle(certs.rootCert, { first: true }),
    'cert-chain.pem': describeBundle(certs.certChain, { first: false }),
  };
}

/** Secret.data for cacerts: each file base64-encoded, exactly the four keys istiod reads. */
export function cacertsData(material: ClusterCaMaterial): Record<CacertsKey, string> {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    'ca-cert.pem': b64(material.caCert),
    'ca-key.pem': b64(material.caKey.reveal()),
    'root-cert.pem': b64(material.rootCert),
    'cert-chain.pem': b64(material.certChain),
  };
}

function describeBundle(text: string, options: { first: boolean }): string {
  const parsed = parseCertificates(text);
  if (!parsed.ok) return UNREADABLE_PLACEHOLDER;
  const certs = options.first ? parsed.value.slice(0, 1) : parsed.value;
  return certs.map((c) => fingerprint(c.toString())).join(', ');
}
