// Issuing the mesh's root CA and each cluster's intermediate CA, in memory. The certificates
// reproduce Istio's tools/certs Makefiles (see profile.ts for the variable-by-variable map);
// the X.509 encoding is @peculiar/x509's and the RSA work is Node's WebCrypto, so no openssl
// binary is needed. Nothing here touches the file system: store.ts decides what to keep.
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { normalisePem, pemBlocks, toPem } from './pem.js';
import { ISTIO_CA_PROFILE, type CaProfile } from './profile.js';
import { SensitivePem } from './sensitive.js';

/** A CA certificate and its key, as PEM (PKCS#8 key, like OpenSSL 3's `genrsa`). */
export interface IssuedCa {
  readonly certPem: string;
  readonly key: SensitivePem;
}

export interface IssueRootOptions {
  /** Start of validity; injected so issuance is reproducible in tests. */
  readonly now: Date;
  readonly profile?: CaProfile;
}

export interface IssueIntermediateOptions {
  /** The Istio cluster ID; becomes the subject's L= (Location), as in `make <name>-cacerts`. */
  readonly cluster: string;
  /** The signing root, typically read back from the trust directory. */
  readonly root: IssuedCa;
  readonly now: Date;
  readonly profile?: CaProfile;
}

// Node's WebCrypto; @peculiar/x509 takes it as its provider on every call (no global setup).
const crypto = webcrypto;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
// The same keyUsage on root and intermediates: the Makefiles write one line for both.
const CA_KEY_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign;

export async function issueRootCa(options: IssueRootOptions): Promise<IssuedCa> {
  const profile = options.profile ?? ISTIO_CA_PROFILE;
  const keys = await generateRsaKeys(profile.keyBits);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(profile.serialBytes),
      name: utf8Name([
        ['O', profile.organization],
        ['CN', profile.rootCommonName],
      ]),
      ...validity(options.now, profile.rootDays),
      keys,
      signingAlgorithm: RSA_SHA256,
      extensions: [
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        // No pathlen on the root, as in root-ca.conf: the mesh may add CA levels below it.
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
      ],
    },
    crypto,
  );
  return { certPem: certPem(cert), key: await exportKey(keys.privateKey) };
}

export async function issueIntermediateCa(options: IssueIntermediateOptions): Promise<IssuedCa> {
  const profile = options.profile ?? ISTIO_CA_PROFILE;
  const root = new x509.X509Certificate(options.root.certPem);
  const rootSki = root.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!rootSki) {
    // issueRootCa always adds one; a root without it did not come from meshctl.
    throw new Error('issueIntermediateCa: the root certificate has no subjectKeyIdentifier');
  }
  const signingKey = await importSigningKey(options.root.key);
  const keys = await generateRsaKeys(profile.keyBits);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(profile.serialBytes),
      subject: utf8Name([
        ['O', profile.organization],
        ['CN', profile.intermediateCommonName],
        ['L', options.cluster],
      ]),
      // The root's own encoded name, byte for byte, so chain building matches issuer to subject.
      issuer: root.subjectName,
      ...validity(options.now, profile.intermediateDays),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: RSA_SHA256,
      extensions: [
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        // pathlen 0: an intermediate may sign workload certificates only, never another CA.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: profile.intermediateSanDns }]),
        new x509.AuthorityKeyIdentifierExtension(rootSki.keyId),
      ],
    },
    crypto,
  );
  return { certPem: certPem(cert), key: await exportKey(keys.privateKey) };
}

async function generateRsaKeys(modulusLength: number): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ ...RSA_SHA256, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']);
}

async function exportKey(key: CryptoKey): Promise<SensitivePem> {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key);
  return new SensitivePem(toPem(new Uint8Array(pkcs8), 'PRIVATE KEY'));
}

async function importSigningKey(key: SensitivePem): Promise<CryptoKey> {
  const block = pemBlocks(key.reveal()).find((b) => b.label === 'PRIVATE KEY');
  if (!block) throw new Error('issueIntermediateCa: the root key is not a PKCS#8 "PRIVATE KEY" PEM');
  // Not extractable: the imported key is used to sign and then dropped.
  return crypto.subtle.importKey('pkcs8', block.der, RSA_SHA256, false, ['sign']);
}

/** Positive, fixed-length random serial, as OpenSSL's -CAcreateserial makes. */
function randomSerial(bytes: number): string {
  const serial = randomBytes(bytes);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial.toString('hex');
}

/** X.509 times have whole seconds; validity starts now, like `openssl x509 -days`. */
function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) };
}

/** Names in the Makefiles' order (O, CN, L), each as UTF8String (`utf8 = yes`). */
function utf8Name(parts: ReadonlyArray<readonly [string, string]>): x509.Name {
  return new x509.Name(parts.map(([type, value]) => ({ [type]: [{ utf8String: value }] })));
}

function certPem(cert: x509.X509Certificate): string {
  return normalisePem(cert.toString('pem'));
}
