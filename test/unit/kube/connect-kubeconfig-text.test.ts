// A client from the kubeconfig inside a remote secret: what verify probes the remote with. A
// kubeconfig it cannot use is a finding (returned), never a crash, and names what is wrong.
import { describe, expect, it } from 'vitest';
import { ClusterClient } from '../../../src/kube/cluster-client.js';
import { connectKubeconfigText } from '../../../src/kube/connect.js';

const where = 'the kubeconfig in Secret istio-system/istio-remote-secret-cluster2 of cluster cluster1';
const kubeconfig = (user: string, cluster = 'certificate-authority-data: Q0E=\n    server: https://127.0.0.1:6443') =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: cluster2\n  cluster:\n    ${cluster}\ncontexts:\n- name: cluster2\n  context: {cluster: cluster2, user: cluster2}\ncurrent-context: cluster2\nusers:\n- name: cluster2\n  user:\n    ${user}\n`;
const connect = (text: string) => connectKubeconfigText({ cluster: 'cluster2', text, describe: where });

describe('connectKubeconfigText', () => {
  it("uses the current context's server and token", () => {
    const c = connect(kubeconfig('token: abc'));
    expect(c).toBeInstanceOf(ClusterClient);
    expect((c as ClusterClient).server).toBe('https://127.0.0.1:6443');
    expect((c as ClusterClient).context).toBe('cluster2');
    (c as ClusterClient).close();
  });

  it.each([
    ['not YAML', 'clusters: [', /is not a readable kubeconfig/],
    ['no context', 'apiVersion: v1\nkind: Config\n', /has no context/],
    ['a token file of this machine', kubeconfig('tokenFile: /var/run/token'), /names files \(certificate or token paths\)/],
    ['a CA file of this machine', kubeconfig('token: abc', 'certificate-authority: /etc/ca.pem\n    server: https://127.0.0.1:6443'), /names files/],
    ['an exec plugin', kubeconfig('exec: {command: gke-gcloud-auth-plugin, apiVersion: client.authentication.k8s.io/v1}'), /uses exec credentials, which meshctl does not check/],
  ])('refuses %s, naming the secret', (_, text, why) => {
    const c = connect(text);
    expect(c).not.toBeInstanceOf(ClusterClient);
    const { error } = c as { error: string };
    expect(error).toMatch(why);
    expect(error).toContain('istio-remote-secret-cluster2');
  });
});
