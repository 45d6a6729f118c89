// Certificate fingerprints as the plan shows them. A fingerprint identifies a certificate
// without revealing anything secret, so it is what the plan, the state and diagnostics use to
// say "this root" or "that intermediate". Format: SHA-256 of the DER, lower-case hex pairs
// joined by colons, prefixed "SHA256:" — the colon form is what `openssl x509 -fingerprint
// -sha256` prints (there upper-case), so users can compare by eye.
import { createHash } from 'node:crypto';
import { pemBlocks } from './pem.js';

/**
 * Fingerprint of the first CERTIFICATE block in the text. Throws on text with no
 * certificate: callers hand it material that has already been parsed (checks turn unreadable
 * input into diagnostics before anything is fingerprinted).
 */
export function fingerprint(pem: string): string {
  const block = pemBlocks(pem).find((b) => b.label === 'CERTIFICATE');
  if (!block) throw new TypeError('fingerprint: the text holds no PEM CERTIFICATE block');
  return fingerprintDer(block.der);
}

export function fingerprintDer(der: Uint8Array): string {
  const hex = createHash('sha256').update(der).digest('hex');
  return `SHA256:${hex.match(/../g)!.join(':')}`;
}
