import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHAIN_SUMMARIES } from '../../../src/trust/chain.js';
import { checkTrust, SHARED_ROOT_SUMMARY } from '../../../src/trust/check.js';
import { EXPIRY_SUMMARIES } from '../../../src/trust/expiry.js';
import { fingerprint } from '../../../src/trust/fingerprint.js';
import type { ClusterCaMaterial } from '../../../src/trust/material.js';
import { DAY, FAST_PROFILE, issueOdd, materialOf, meshOf, summaries, T0, type Mesh } from './fixtures.js';

const ALL_CA_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature;
const check = (material: ClusterCaMaterial[], now = T0) => checkTrust({ material: new Map(material.map((m) => [m.cluster, m])), now });

let mesh: Mesh;
let other: Mesh;
beforeAll(async () => {
  mesh = await meshOf(['cluster1', 'cluster2']);
  other = await meshOf(['cluster3']);
});

describe('checkTrust: chains', () => {
  it('accepts a generated mesh', () => {
    expect(check([...mesh.material.values()])).toEqual([]);
  });

  it('accepts a chain file that stops before the root', () => {
    const m = materialOf({ cluster: 'cluster1', root: mesh.root, ca: mesh.cas.get('cluster1')!, certChain: mesh.cas.get('cluster1')!.certPem });
    expect(check([m])).toEqual([]);
  });

  it('accepts a deeper hierarchy: root → org CA → cluster CA', async () => {
    const org = await issueOdd({ issuer: mesh.root, subject: 'CN=Org CA', ca: true, keyUsage: ALL_CA_USAGE });
    const ca = await issueOdd({ issuer: org, subject: 'CN=cluster9 CA', ca: true, keyUsage: ALL_CA_USAGE });
    const m = materialOf({ cluster: 'cluster9', root: mesh.root, ca, certChain: ca.certPem + org.certPem + mesh.root.certPem });
    expect(check([m])).toEqual([]);
  });

  it('rejects roots that differ between clusters, naming both fingerprints', () => {
    const diags = check([mesh.material.get('cluster1')!, other.material.get('cluster3')!]);
    expect(summaries(diags)).toEqual([SHARED_ROOT_SUMMARY]);
    expect(diags[0]!.severity).toBe('error');
    expect(diags[0]!.detail).toContain(`cluster1: ${fingerprint(mesh.root.certPem)}`);
    expect(diags[0]!.detail).toContain(`cluster3: ${fingerprint(other.root.certPem)}`);
  });

  it("rejects a key that is not the certificate's", () => {
    const m = materialOf({ cluster: 'cluster1', root: mesh.root, ca: mesh.cas.get('cluster1')!, caKey: mesh.cas.get('cluster2')!.key.reveal() });
    const diags = check([m]);
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.keyMismatch]);
    expect(diags[0]).toMatchObject({ severity: 'error', path: 'trust.generated.directory' });
    expect(diags[0]!.detail).toContain('/trust/cluster1/ca-key.pem');
  });

  it('rejects an unreadable key without echoing it', () => {
    const m = materialOf({
      cluster: 'cluster1',
      root: mesh.root,
      ca: mesh.cas.get('cluster1')!,
      caKey: `-----BEGIN ${'PRIVATE'} KEY-----\nAAAA\n-----END ${'PRIVATE'} KEY-----\n` /* a fake, not a key */,
    });
    const diags = check([m]);
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.keyMismatch]);
    expect(diags[0]!.detail).toContain('cannot be read as a private key');
    expect(diags[0]!.detail).not.toContain('AAAA');
  });

  it('rejects an intermediate issued by another root', () => {
    // cluster3's intermediate, but this mesh's root in root-cert.pem and at the end of the chain.
    const ca = other.cas.get('cluster3')!;
    const m = materialOf({ cluster: 'cluster3', root: mesh.root, ca });
    const diags = check([m]);
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.brokenLink]);
    expect(diags[0]!.detail).toContain('is not signed by the root');
    expect(diags[0]!.detail).toContain(fingerprint(mesh.root.certPem));
  });

  it('rejects a chain that ends at another root than root-cert.pem', () => {
    const ca = other.cas.get('cluster3')!;
    const m = materialOf({ cluster: 'cluster3', root: mesh.root, ca, certChain: ca.certPem + other.root.certPem });
    expect(summaries(check([m]))).toEqual([CHAIN_SUMMARIES.brokenLink]);
  });

  it('rejects a chain that does not start with ca-cert.pem', () => {
    const m = materialOf({ cluster: 'cluster1', root: mesh.root, ca: mesh.cas.get('cluster1')!, certChain: mesh.cas.get('cluster2')!.certPem + mesh.root.certPem });
    expect(summaries(check([m]))).toEqual([CHAIN_SUMMARIES.chainStart]);
  });

  it('rejects an intermediate that is not a CA', async () => {
    const leaf = await issueOdd({ issuer: mesh.root, subject: 'CN=not a ca', ca: false, keyUsage: x509.KeyUsageFlags.digitalSignature });
    const diags = check([materialOf({ cluster: 'cluster1', root: mesh.root, ca: leaf })]);
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.notCa]);
    expect(diags[0]!.detail).toContain('CN=not a ca');
  });

  it('rejects a CA whose keyUsage lacks keyCertSign', async () => {
    const ca = await issueOdd({ issuer: mesh.root, subject: 'CN=no certsign', ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature });
    expect(summaries(check([materialOf({ cluster: 'cluster1', root: mesh.root, ca })]))).toEqual([CHAIN_SUMMARIES.cannotSign]);
  });

  it('warns when root-cert.pem is not self-signed', () => {
    // Using cluster1's intermediate as the "root" for a chain that stops there.
    const ca1 = mesh.cas.get('cluster1')!;
    const m = materialOf({ cluster: 'cluster1', root: ca1, ca: ca1, certChain: ca1.certPem });
    const diags = check([m]);
    expect(diags.map((d) => [d.severity, d.summary])).toEqual([['warning', CHAIN_SUMMARIES.rootNotSelfSigned]]);
  });

  it('reports unreadable PEM as errors, one per file', () => {
    const m = materialOf({ cluster: 'cluster1', root: mesh.root, ca: mesh.cas.get('cluster1')!, certChain: 'not pem', rootCert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });
    const diags = check([m]);
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.unreadable, CHAIN_SUMMARIES.unreadable]);
    expect(diags.map((d) => d.detail).join('\n')).toMatch(/root-cert\.pem[\s\S]*cert-chain\.pem/);
  });
});

describe('checkTrust: lifetimes (injected now)', () => {
  // Root and intermediates are valid from T0 for 3650 days.
  const end = T0.getTime() + 3650 * DAY;

  it('warns once per certificate within 30 days of expiry', () => {
    const diags = check([...mesh.material.values()], new Date(end - 10 * DAY));
    // The shared root once, and each intermediate once (not again as chain entry 1).
    expect(diags.map((d) => [d.severity, d.summary])).toEqual(Array(3).fill(['warning', EXPIRY_SUMMARIES.expiresSoon]));
    expect(diags.filter((d) => d.detail.includes('the root CA'))).toHaveLength(1);
    expect(diags[0]!.detail).toContain('in 10 days');
  });

  it('is silent 31 days before expiry', () => {
    expect(check([...mesh.material.values()], new Date(end - 31 * DAY))).toEqual([]);
  });

  it('errors on expired certificates', () => {
    const diags = check([mesh.material.get('cluster1')!], new Date(end + DAY));
    expect(diags.map((d) => [d.severity, d.summary])).toEqual(Array(2).fill(['error', EXPIRY_SUMMARIES.expired]));
  });

  it('warns about a short-lived intermediate only', async () => {
    const short = await meshOf(['c1'], { profile: { ...FAST_PROFILE, intermediateDays: 20 } });
    const diags = check([...short.material.values()], T0);
    expect(summaries(diags)).toEqual([EXPIRY_SUMMARIES.expiresSoon]);
    expect(diags[0]!.detail).toContain("c1's ca-cert.pem");
  });

  it('warns about certificates not yet valid', () => {
    const diags = check([mesh.material.get('cluster1')!], new Date(T0.getTime() - DAY));
    expect(diags.map((d) => [d.severity, d.summary])).toEqual(Array(2).fill(['warning', EXPIRY_SUMMARIES.notYetValid]));
  });
});
