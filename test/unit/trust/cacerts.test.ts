import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacertsData, describeCacerts, UNREADABLE_PLACEHOLDER } from '../../../src/trust/cacerts.js';
import { fingerprint, fingerprintDer } from '../../../src/trust/fingerprint.js';
import { CACERTS_KEYS } from '../../../src/trust/material.js';
import { meshOf, type Mesh } from './fixtures.js';

let mesh: Mesh;
beforeAll(async () => {
  mesh = await meshOf(['cluster1']);
});

describe('fingerprint', () => {
  it('is SHA256: and colon-separated lower-case hex of the DER, as openssl prints (upper-case)', () => {
    const fp = fingerprint(mesh.root.certPem);
    expect(fp).toMatch(/^SHA256:([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(fp).toBe(`SHA256:${new X509Certificate(mesh.root.certPem).fingerprint256.toLowerCase()}`);
    expect(fingerprintDer(new X509Certificate(mesh.root.certPem).raw)).toBe(fp);
  });

  it('ignores line endings and surrounding text, and takes the first certificate of a bundle', () => {
    const crlf = `leading text\r\n${mesh.root.certPem.replace(/\n/g, '\r\n')}`;
    expect(fingerprint(crlf)).toBe(fingerprint(mesh.root.certPem));
    expect(fingerprint(mesh.material.get('cluster1')!.certChain)).toBe(fingerprint(mesh.cas.get('cluster1')!.certPem));
  });

  it('throws on text without a certificate (callers check first)', () => {
    expect(() => fingerprint('nothing here')).toThrow(/no PEM CERTIFICATE/);
  });
});

describe('describeCacerts', () => {
  it('shows fingerprints for certificates and "(sensitive)" for the key', () => {
    const m = mesh.material.get('cluster1')!;
    expect(describeCacerts(m)).toEqual({
      'ca-cert.pem': fingerprint(m.caCert),
      'ca-key.pem': '(sensitive)',
      'root-cert.pem': fingerprint(m.rootCert),
      'cert-chain.pem': `${fingerprint(m.caCert)}, ${fingerprint(m.rootCert)}`,
    });
  });

  it('describes live data the same way, and marks unreadable entries', () => {
    const m = mesh.material.get('cluster1')!;
    const live = { rootCert: m.rootCert, caCert: 'garbage', certChain: m.certChain };
    expect(describeCacerts(live)).toMatchObject({ 'ca-cert.pem': UNREADABLE_PLACEHOLDER, 'root-cert.pem': fingerprint(m.rootCert) });
  });
});

describe('cacertsData', () => {
  it('has exactly the four keys istiod reads, base64 of each file', () => {
    const m = mesh.material.get('cluster1')!;
    const data = cacertsData(m);
    expect(Object.keys(data)).toEqual([...CACERTS_KEYS]);
    const decoded = (k: keyof typeof data) => Buffer.from(data[k], 'base64').toString('utf8');
    expect(decoded('ca-cert.pem')).toBe(m.caCert);
    expect(decoded('root-cert.pem')).toBe(m.rootCert);
    expect(decoded('cert-chain.pem')).toBe(m.caCert + m.rootCert);
    expect(decoded('ca-key.pem')).toBe(mesh.cas.get('cluster1')!.key.reveal());
  });
});
