// The two X.509 extensions the chain check must tell apart (RFC 5280 §4.2.1.3 keyUsage and
// §4.2.1.9 basicConstraints), read straight from the DER. Node's X509Certificate folds both
// into one `ca` flag; @peculiar/x509 reads them but is slow to import (docs/benchmarks.md), a
// cost every plan would pay for these two fields.
//
// Only what this needs of DER: definite lengths, the TBSCertificate's [3] extensions. Anything
// unexpected answers "not found" rather than throwing. The chain check asks only for
// certificates Node's own flag already rejected, to say why.

interface Tlv {
  readonly tag: number;
  /** Offset of the contents. */
  readonly start: number;
  /** Offset just past the contents. */
  readonly end: number;
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    len = 0;
    for (let i = 0; i < bytes; i++) len = len * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const t = readTlv(der, at, parent.end);
    if (!t) return out;
    out.push(t);
    at = t.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;
const EXTENSIONS = 0xa3; // [3] EXPLICIT in TBSCertificate
const OID_KEY_USAGE = '551d0f'; // 2.5.29.15
const OID_BASIC_CONSTRAINTS = '551d13'; // 2.5.29.19

/** extnID (hex of the OID's contents) → extnValue's contents. */
function extensionValues(der: Uint8Array): Map<string, Tlv> {
  const out = new Map<string, Tlv>();
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== SEQUENCE) return out;
  const tbs = children(der, cert)[0];
  if (!tbs || tbs.tag !== SEQUENCE) return out;
  const exts = children(der, tbs).find((t) => t.tag === EXTENSIONS);
  const list = exts && children(der, exts)[0];
  if (!list || list.tag !== SEQUENCE) return out;
  for (const ext of children(der, list)) {
    const [id, ...rest] = children(der, ext);
    const value = rest.find((t) => t.tag === OCTET_STRING);
    if (id && value) out.set(Buffer.from(der.subarray(id.start, id.end)).toString('hex'), value);
  }
  return out;
}

export interface CaExtensions {
  /** basicConstraints cA (false when the extension is absent). */
  readonly basicConstraintsCa: boolean;
  /** keyUsage's keyCertSign bit, or undefined when there is no keyUsage extension. */
  readonly keyCertSign: boolean | undefined;
}

export function caExtensions(der: Uint8Array): CaExtensions {
  const exts = extensionValues(der);
  let basicConstraintsCa = false;
  const bc = exts.get(OID_BASIC_CONSTRAINTS);
  if (bc) {
    const seq = readTlv(der, bc.start, bc.end);
    const first = seq?.tag === SEQUENCE ? children(der, seq)[0] : undefined;
    basicConstraintsCa = first?.tag === BOOLEAN && first.end > first.start && der[first.start] !== 0;
  }
  let keyCertSign: boolean | undefined;
  const ku = exts.get(OID_KEY_USAGE);
  if (ku) {
    const bits = readTlv(der, ku.start, ku.end);
    // BIT STRING: one byte of unused-bit count, then the bits, most significant first.
    // keyCertSign is bit 5: 0x04 of the first byte.
    keyCertSign = bits?.tag === BIT_STRING && bits.end - bits.start >= 2 ? (der[bits.start + 1]! & 0x04) !== 0 : false;
  }
  return { basicConstraintsCa, keyCertSign };
}
