// The kubeconfig the executor stores in a remote secret, against istioctl's own test.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { remoteKubeconfig, renderRemoteKubeconfig } from '../../../src/model/remote-kubeconfig.js';
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
    expect(remoteKubeconfig(fake).clusters).toEqual([
      { cluster: { 'certificate-authority-data': 'Y2FEYXRh', server: 'https://1.2.3.4' }, name: 'fake-clusterName-0' },
    ]);
    const withSni = parse(renderRemoteKubeconfig({ ...fake, tlsServerName: 'api.internal' })) as {
      clusters: { cluster: Record<string, string> }[];
    };
    expect(withSni.clusters[0]?.cluster['tls-server-name']).toBe('api.internal');
  });

  it('keeps a long token on one line', () => {
    const token = 'eyJ' + 'a'.repeat(900) + '.' + 'b'.repeat(300);
    expect(renderRemoteKubeconfig({ ...fake, token })).toContain(`    token: ${token}\n`);
  });
});
