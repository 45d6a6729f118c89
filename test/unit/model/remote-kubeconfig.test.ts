// The kubeconfig the executor stores in a remote secret, against istioctl's own test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { plainKubeconfig, remoteKubeconfig, renderRemoteKubeconfig } from '../../../src/model/remote-kubeconfig.js';
import { goldenText } from './golden.js';

const fake = {
  clusterName: 'fake-clusterName-0',
  server: 'https://1.2.3.4',
  certificateAuthorityData: 'Y2FEYXRh',
  token: 'token',
};

describe('remote secret kubeconfig', () => {
  it("renders byte for byte what create-remote-secret's test expects", () => {
    const golden = goldenText('remote-kubeconfig.yaml').replace(/^#.*\n/gm, '');
    expect(renderRemoteKubeconfig(fake)).toBe(golden);
  });

  it('adds tls-server-name only when given', () => {
    expect(remoteKubeconfig(fake).clusters).toEqual([{ cluster: { 'certificate-authority-data': 'Y2FEYXRh', server: 'https://1.2.3.4' }, name: 'fake-clusterName-0' }]);
    const withSni = parse(renderRemoteKubeconfig({ ...fake, tlsServerName: 'api.internal' })) as {
      clusters: { cluster: Record<string, string> }[];
    };
    expect(withSni.clusters[0]?.cluster['tls-server-name']).toBe('api.internal');
  });

  it('keeps a long token on one line', () => {
    const token = 'eyJ' + 'a'.repeat(900) + '.' + 'b'.repeat(300);
    expect(renderRemoteKubeconfig({ ...fake, token })).toContain(`    token: ${token}\n`);
  });

  it('writes real kubeconfigs without yaml, to the same text', () => {
    const real = {
      clusterName: 'cluster2',
      server: 'https://127.0.0.1:35093',
      certificateAuthorityData: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64'),
      token: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln-_c2ln',
    };
    for (const r of [real, { ...real, tlsServerName: 'api.internal' }, fake]) {
      expect(plainKubeconfig(r)).toBe(stringify(remoteKubeconfig(r), { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false }));
    }
  });

  it('writes exactly what yaml writes, for any values (the fast path for plain ones included)', () => {
    const alphabet = fc.constantFrom(...'aZ09_-./+=: #"\'!&*?{}[],|>%@`~'.split(''), 'null', 'true', 'https://', 'LS0t', 'eyJ');
    const value = fc.oneof(
      fc.array(alphabet, { minLength: 1, maxLength: 12 }).map((a) => a.join('')),
      fc.constantFrom('cluster2', 'https://127.0.0.1:35093', 'LS0tLS1CRUdJTi==', 'eyJhbGciOi.eyJpc3Mi.sig-_', 'a:', '1e3', 'True', '-x', '.5', 'x y'),
    );
    fc.assert(
      fc.property(value, value, value, value, fc.option(value), (clusterName, server, certificateAuthorityData, token, sni) => {
        const r = { clusterName, server, certificateAuthorityData, token, ...(sni === null ? {} : { tlsServerName: sni }) };
        const viaYaml = stringify(remoteKubeconfig(r), { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
        expect(renderRemoteKubeconfig(r)).toBe(viaYaml);
      }),
      { numRuns: 2000 },
    );
  });
});
