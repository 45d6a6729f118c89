// Shared fixtures for the trust tests: a fast issuance profile, in-memory meshes, and a
// builder for deliberately wrong certificates (not a CA, no keyCertSign) that meshctl itself
// never issues.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { issueIntermediateCa, issueRootCa, type IssuedCa } from '../../../src/trust/issue.js';
import type { ClusterCaMaterial } from '../../../src/trust/material.js';
import { CACERTS_KEYS } from '../../../src/trust/material.js';
import { normalisePem } from '../../../src/trust/pem.js';
import { ISTIO_CA_PROFILE, type CaProfile } from '../../../src/trust/profile.js';
import { SensitivePem } from '../../../src/trust/sensitive.js';

/** Istio's profile with 2048-bit keys: RSA-4096 generation takes seconds per key. */
export const FAST_PROFILE: CaProfile = { ...ISTIO_CA_PROFILE, keyBits: 2048 };

export const T0 = new Date('2026-01-01T00:00:00Z');
export const DAY = 86_400_000;

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'meshctl-trust-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Material as ensureTrust would return it, assembled in memory (origin: generated). */
export function materialOf(options: {
  cluster: string;
  root: IssuedCa;
  ca: IssuedCa;
  /** Overrides for building broken material. */
  certChain?: string;
  caKey?: string;
  rootCert?: string;
}): ClusterCaMaterial {
  const files = Object.fromEntries(CACERTS_KEYS.map((k) => [k, `/trust/${options.cluster}/${k}`]));
  return {
    cluster: options.cluster,
    rootCert: options.rootCert ?? options.root.certPem,
    caCert: options.ca.certPem,
    certChain: options.certChain ?? options.ca.certPem + options.root.certPem,
    caKey: new SensitivePem(options.caKey ?? options.ca.key.reveal()),
    origin: { kind: 'generated', settingsPath: 'trust.generated.directory', files: files as ClusterCaMaterial['origin']['files'] },
  };
}

export interface Mesh {
  root: IssuedCa;
  cas: Map<string, IssuedCa>;
  material: Map<string, ClusterCaMaterial>;
}

export async function meshOf(clusters: string[], options: { now?: Date; profile?: CaProfile } = {}): Promise<Mesh> {
  const now = options.now ?? T0;
  const profile = options.profile ?? FAST_PROFILE;
  const root = await issueRootCa({ now, profile });
  const cas = new Map<string, IssuedCa>();
  const material = new Map<string, ClusterCaMaterial>();
  for (const cluster of clusters) {
    const ca = await issueIntermediateCa({ cluster, root, now, profile });
    cas.set(cluster, ca);
    material.set(cluster, materialOf({ cluster, root, ca }));
  }
  return { root, cas, material };
}

/** A certificate signed by `issuer` with chosen (possibly wrong) CA properties. */
export async function issueOdd(options: { issuer: IssuedCa; subject: string; ca: boolean; keyUsage: x509.KeyUsageFlags }): Promise<IssuedCa> {
  const crypto = webcrypto;
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const issuerCert = new x509.X509Certificate(options.issuer.certPem);
  const issuerKeyDer = x509.PemConverter.decodeFirst(options.issuer.key.reveal());
  const signingKey = await crypto.subtle.importKey('pkcs8', issuerKeyDer, alg, false, ['sign']);
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: options.subject,
      issuer: issuerCert.subjectName,
      notBefore: T0,
      notAfter: new Date(T0.getTime() + 365 * DAY),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(options.ca, undefined, true), new x509.KeyUsagesExtension(options.keyUsage, true)],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: normalisePem(cert.toString('pem')), key: new SensitivePem(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')) };
}

export function summaries(diags: readonly { summary: string }[]): string[] {
  return diags.map((d) => d.summary);
}
