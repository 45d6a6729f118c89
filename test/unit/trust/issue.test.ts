import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { issueIntermediateCa, issueRootCa } from '../../../src/trust/issue.js';
import { ISTIO_CA_PROFILE } from '../../../src/trust/profile.js';
import { DAY, FAST_PROFILE, T0 } from './fixtures.js';

const CA_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign;

describe('issuance matches Istio tools/certs', () => {
  it("production profile is the Makefiles' values", () => {
    // common.mk: ROOTCA_DAYS, ROOTCA_KEYSZ, ROOTCA_ORG, ROOTCA_CN, INTERMEDIATE_* and SAN.
    expect(ISTIO_CA_PROFILE).toEqual({
      keyBits: 4096,
      rootDays: 3650,
      intermediateDays: 3650,
      organization: 'Istio',
      rootCommonName: 'Root CA',
      intermediateCommonName: 'Intermediate CA',
      intermediateSanDns: 'istiod.istio-system.svc',
      serialBytes: 20,
    });
  });

  it('issues 4096-bit RSA keys by default (production profile, no override)', async () => {
    const root = await issueRootCa({ now: T0 });
    const ca = await issueIntermediateCa({ cluster: 'cluster1', root, now: T0 });
    for (const pem of [root.certPem, ca.certPem]) {
      const cert = new X509Certificate(pem);
      expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
      expect(cert.publicKey.asymmetricKeyDetails?.publicExponent).toBe(65537n);
    }
    expect(new X509Certificate(ca.certPem).verify(new X509Certificate(root.certPem).publicKey)).toBe(true);
  }, 120_000);

  it('root: O=Istio CN=Root CA, self-signed CA without pathlen, critical keyUsage, SKI, 3650 days', async () => {
    const root = await issueRootCa({ now: new Date('2026-01-01T00:00:00.750Z'), profile: FAST_PROFILE });
    const node = new X509Certificate(root.certPem);
    expect(node.subject).toBe('O=Istio\nCN=Root CA');
    expect(node.issuer).toBe(node.subject);
    expect(node.ca).toBe(true);
    expect(node.verify(node.publicKey)).toBe(true);
    expect(node.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    const cert = new x509.X509Certificate(root.certPem);
    expect(cert.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
    // Whole seconds: X.509 cannot carry the milliseconds of `now`.
    expect(cert.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(3650 * DAY);
    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc).toMatchObject({ ca: true, critical: true });
    expect(bc.pathLength).toBeUndefined();
    const ku = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.critical).toBe(true);
    expect(ku.usages).toBe(CA_USAGE);
    // subjectKeyIdentifier=hash: SHA-1 of the subjectPublicKey bits (the PKCS#1 RSAPublicKey).
    const pkcs1 = node.publicKey.export({ type: 'pkcs1', format: 'der' });
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toBe(createHash('sha1').update(pkcs1).digest('hex'));
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)).toBeNull();
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)).toBeNull();
    // 20-byte positive serial, like OpenSSL's -CAcreateserial.
    expect(cert.serialNumber).toMatch(/^[0-7][0-9a-f]{39}$/);
    // `utf8 = yes`: names are UTF8String (tag 0x0c), as openssl writes them.
    expect(Buffer.from(cert.rawData).includes(Buffer.from([0x0c, 0x05, ...Buffer.from('Istio')]))).toBe(true);
  });

  it('intermediate: L=<cluster>, pathlen 0, SAN istiod.istio-system.svc, AKI = root SKI, signed by root', async () => {
    const root = await issueRootCa({ now: T0, profile: FAST_PROFILE });
    const ca = await issueIntermediateCa({ cluster: 'east-1', root, now: T0, profile: FAST_PROFILE });
    const node = new X509Certificate(ca.certPem);
    const rootNode = new X509Certificate(root.certPem);
    expect(node.subject).toBe('O=Istio\nCN=Intermediate CA\nL=east-1');
    expect(node.issuer).toBe('O=Istio\nCN=Root CA');
    expect(node.ca).toBe(true);
    expect(node.checkIssued(rootNode)).toBe(true);
    expect(node.verify(rootNode.publicKey)).toBe(true);
    expect(node.subjectAltName).toBe('DNS:istiod.istio-system.svc');

    const cert = new x509.X509Certificate(ca.certPem);
    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc).toMatchObject({ ca: true, critical: true, pathLength: 0 });
    expect(cert.getExtension(x509.KeyUsagesExtension)).toMatchObject({ critical: true, usages: CA_USAGE });
    const rootSki = new x509.X509Certificate(root.certPem).getExtension(x509.SubjectKeyIdentifierExtension)!;
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(rootSki.keyId);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).not.toBe(rootSki.keyId);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(3650 * DAY);
    expect(cert.serialNumber).toMatch(/^[0-7][0-9a-f]{39}$/);
    // The key is the certificate's, as PKCS#8 (what OpenSSL 3's genrsa writes).
    expect(ca.key.reveal()).toMatch(new RegExp(`^-----BEGIN ${'PRIVATE'} KEY-----\n`));
    expect(node.checkPrivateKey(createPrivateKey(ca.key.reveal()))).toBe(true);
  });

  it('gives every intermediate its own key and serial', async () => {
    const root = await issueRootCa({ now: T0, profile: FAST_PROFILE });
    const a = await issueIntermediateCa({ cluster: 'a', root, now: T0, profile: FAST_PROFILE });
    const b = await issueIntermediateCa({ cluster: 'b', root, now: T0, profile: FAST_PROFILE });
    expect(a.key.reveal()).not.toBe(b.key.reveal());
    expect(new X509Certificate(a.certPem).serialNumber).not.toBe(new X509Certificate(b.certPem).serialNumber);
  });
});
