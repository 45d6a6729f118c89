// PEM text handling shared by the store, the checks and fingerprints. Files written by hand,
// by openssl or by Vault differ in line endings and trailing blank lines; everything meshctl
// writes or compares goes through normalisePem so the same certificate always has the same
// bytes (and re-runs never see a spurious change).

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE" or "PRIVATE KEY". */
  readonly label: string;
  readonly der: Buffer;
}

/** Every PEM block in the text, in order; text outside blocks is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label = '', body = ''] = match;
    blocks.push({ label, der: Buffer.from(body.replace(/\s+/g, ''), 'base64') });
  }
  return blocks;
}

/** The CERTIFICATE blocks of a bundle (a chain file holds several), as separate PEM texts. */
export function splitCertificates(text: string): string[] {
  return pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => toPem(b.der, 'CERTIFICATE'));
}

/** DER bytes to PEM with 64-column lines and a trailing newline, as openssl writes it. */
export function toPem(der: Uint8Array, label: string): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Re-encodes every block canonically; a bundle keeps its blocks in order. */
export function normalisePem(text: string): string {
  return pemBlocks(text)
    .map((b) => toPem(b.der, b.label))
    .join('');
}
