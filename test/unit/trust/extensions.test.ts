// caExtensions reads keyUsage and basicConstraints from DER without @peculiar/x509; here its
// answers are compared with @peculiar/x509's on certificates issued with every combination.
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { caExtensions } from '../../../src/trust/extensions.js';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
let keys: webcrypto.CryptoKeyPair;

beforeAll(async () => {
  keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
});

async function issue(extensions: x509.Extension[]): Promise<Uint8Array> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name: 'CN=test', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01'), keys, signingAlgorithm: alg, extensions },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  return new Uint8Array(cert.rawData);
}

const F = x509.KeyUsageFlags;
const cases: Array<[string, () => x509.Extension[], { basicConstraintsCa: boolean; keyCertSign: boolean | undefined }]> = [
  ['no extensions', () => [], { basicConstraintsCa: false, keyCertSign: undefined }],
  [
    'CA with keyCertSign',
    () => [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(F.keyCertSign | F.cRLSign, true)],
    { basicConstraintsCa: true, keyCertSign: true },
  ],
  ['CA, path length, not critical', () => [new x509.BasicConstraintsExtension(true, 2, false), new x509.KeyUsagesExtension(F.keyCertSign)], { basicConstraintsCa: true, keyCertSign: true }],
  [
    'CA without keyCertSign',
    () => [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(F.digitalSignature | F.keyEncipherment, true)],
    { basicConstraintsCa: true, keyCertSign: false },
  ],
  ['CA without keyUsage', () => [new x509.BasicConstraintsExtension(true, undefined, true)], { basicConstraintsCa: true, keyCertSign: undefined }],
  ['leaf: CA false', () => [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(F.digitalSignature, true)], { basicConstraintsCa: false, keyCertSign: false }],
  ['keyCertSign only, no basicConstraints', () => [new x509.KeyUsagesExtension(F.keyCertSign, true)], { basicConstraintsCa: false, keyCertSign: true }],
  [
    'decipherOnly (second byte of the bit string)',
    () => [new x509.BasicConstraintsExtension(true), new x509.KeyUsagesExtension(F.keyAgreement | F.decipherOnly)],
    { basicConstraintsCa: true, keyCertSign: false },
  ],
];

describe('caExtensions', () => {
  it.each(cases)('%s', async (_, extensions, want) => {
    const der = await issue(extensions());
    expect(caExtensions(der)).toEqual(want);
    // …and the same as @peculiar/x509 reads it.
    const parsed = new x509.X509Certificate(der);
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    expect(caExtensions(der)).toEqual({
      basicConstraintsCa: parsed.getExtension(x509.BasicConstraintsExtension)?.ca === true,
      keyCertSign: ku ? (ku.usages & F.keyCertSign) !== 0 : undefined,
    });
  });

  it('answers "nothing found" for bytes that are not a certificate', () => {
    expect(caExtensions(new Uint8Array([0x30, 0x82, 0xff]))).toEqual({ basicConstraintsCa: false, keyCertSign: undefined });
    expect(caExtensions(new Uint8Array([]))).toEqual({ basicConstraintsCa: false, keyCertSign: undefined });
  });
});
