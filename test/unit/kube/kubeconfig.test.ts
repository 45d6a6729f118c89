// Kubeconfig loading as kubectl does it: KUBECONFIG merge order, relative file paths, every
// static credential form, and clear failures for broken contexts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeconfigSource, readKubeconfigs, resolveEndpoint } from '../../../src/kube/kubeconfig.js';
import { connect } from '../../../src/kube/connect.js';
import { authFor } from '../../../src/kube/auth.js';
import { isDiagnosticsError } from '../../../src/diagnostics.js';

const dir = mkdtempSync(join(tmpdir(), 'meshctl-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, doc: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof doc === 'string' ? doc : stringify(doc));
  return p;
}

const a = file('a.yaml', {
  'current-context': 'one',
  clusters: [
    { name: 'c1', cluster: { server: 'https://one.example:6443', 'certificate-authority': 'ca.pem' } },
    { name: 'shared', cluster: { server: 'https://from-a:6443' } },
  ],
  users: [
    { name: 'u-token', user: { token: 'abc' } },
    { name: 'u-file', user: { tokenFile: 'token.txt' } },
  ],
  contexts: [
    { name: 'one', context: { cluster: 'c1', user: 'u-token' } },
    { name: 'shared', context: { cluster: 'shared', user: 'u-file' } },
  ],
});
file('ca.pem', 'CA-BYTES');
file('token.txt', 'tok-from-file\n');
const b = file('b.yaml', {
  'current-context': 'two',
  clusters: [
    { name: 'shared', cluster: { server: 'https://from-b:6443' } },
    { name: 'c2', cluster: { server: 'https://two:6443', 'insecure-skip-tls-verify': true } },
  ],
  users: [
    { name: 'u-cert', user: { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') } },
    { name: 'u-exec', user: { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } } },
    { name: 'u-basic', user: { username: 'me', password: 'pw' } },
  ],
  contexts: [
    { name: 'two', context: { cluster: 'c2', user: 'u-cert' } },
    { name: 'exec', context: { cluster: 'c2', user: 'u-exec' } },
    { name: 'basic', context: { cluster: 'c2', user: 'u-basic' } },
    { name: 'broken', context: { cluster: 'nowhere', user: 'u-cert' } },
  ],
});

describe('kubeconfig loading', () => {
  const merged = readKubeconfigs(kubeconfigSource(undefined, { KUBECONFIG: [a, join(dir, 'missing.yaml'), b].join(delimiter) }));

  it('merges KUBECONFIG files: the first definition of a name wins, missing files are skipped', () => {
    expect(merged.currentContext).toBe('one');
    const ep = resolveEndpoint(merged, 'shared');
    expect('error' in ep ? ep : ep.server).toBe('https://from-a:6443');
  });

  it('resolves file paths relative to the kubeconfig naming them', () => {
    const ep = resolveEndpoint(merged, 'one');
    if ('error' in ep) throw new Error(ep.detail);
    expect(ep.ca?.toString()).toBe('CA-BYTES');
    expect(ep.auth).toEqual({ kind: 'token', token: 'abc' });
    const shared = resolveEndpoint(merged, 'shared');
    expect('error' in shared ? undefined : shared.auth).toEqual({ kind: 'token-file', file: join(dir, 'token.txt') });
  });

  it('reads every static credential form and delegates exec plugins', () => {
    const two = resolveEndpoint(merged, 'two');
    if ('error' in two) throw new Error(two.detail);
    expect(two.insecure).toBe(true);
    expect(two.auth.kind === 'client-cert' && [two.auth.cert.toString(), two.auth.key.toString()]).toEqual(['CERT', 'KEY']);
    expect((resolveEndpoint(merged, 'basic') as { auth: unknown }).auth).toEqual({ kind: 'basic', username: 'me', password: 'pw' });
    expect((resolveEndpoint(merged, 'exec') as { auth: unknown }).auth).toEqual({ kind: 'delegated', why: 'exec' });
  });

  it('--kubeconfig beats KUBECONFIG', () => {
    expect(kubeconfigSource(b, { KUBECONFIG: a }).files).toEqual([b]);
  });

  it('names the cluster, the context and the file when a context is unknown or broken', () => {
    const attempt = (context: string) => {
      try {
        connect({ cluster: 'east', context, kubeconfig: b, env: {} });
        return 'connected';
      } catch (e) {
        if (!isDiagnosticsError(e)) throw e;
        return `${e.diagnostics[0]!.summary}: ${e.diagnostics[0]!.detail}`;
      }
    };
    expect(attempt('nope')).toBe(`Unknown kube context: Cluster "east" names context "nope", which is not in ${b}. Contexts there: two, exec, basic, broken.`);
    expect(attempt('broken')).toBe(`Broken kube context: Context "broken" (cluster "east") names kubeconfig cluster "nowhere", which ${b} does not define.`);
    expect(attempt('two')).toBe('connected');
  });

  it('reports an unreadable explicit kubeconfig instead of crashing', () => {
    expect(() => connect({ cluster: 'east', context: 'x', kubeconfig: join(dir, 'nope.yaml'), env: {} })).toThrow(/Cannot read kubeconfig/);
  });

  // A user's mistake, not a bug: before, the ENOENT escaped as "internal error" with a stack.
  it('names the missing certificate, key or CA file a kubeconfig points at, and the context', () => {
    const broken = file('broken-files.yaml', {
      clusters: [
        { name: 'no-ca', cluster: { server: 'https://x:6443', 'certificate-authority': 'gone-ca.pem' } },
        { name: 'ok', cluster: { server: 'https://x:6443' } },
      ],
      users: [{ name: 'no-key', user: { 'client-certificate': 'ca.pem', 'client-key': 'gone-key.pem' } }],
      contexts: [
        { name: 'ca', context: { cluster: 'no-ca' } },
        { name: 'key', context: { cluster: 'ok', user: 'no-key' } },
      ],
    });
    const attempt = (context: string) => {
      try {
        connect({ cluster: 'east', context, kubeconfig: broken, env: {} });
        return 'connected';
      } catch (e) {
        if (!isDiagnosticsError(e)) throw e;
        return `${e.diagnostics[0]!.summary}: ${e.diagnostics[0]!.detail}`;
      }
    };
    expect(attempt('ca')).toBe(
      `Cannot read a file the kubeconfig names: Context "ca" (cluster "east"), in ${broken}: the certificate-authority of kubeconfig cluster "no-ca": ${join(dir, 'gone-ca.pem')} does not exist.`,
    );
    expect(attempt('key')).toBe(`Cannot read a file the kubeconfig names: Context "key" (cluster "east"), in ${broken}: the client-key of user "no-key": ${join(dir, 'gone-key.pem')} does not exist.`);
  });

  it('reports a token file that is gone when a request is made, as a user error', async () => {
    const gone = file('gone-token.yaml', {
      clusters: [{ name: 'c', cluster: { server: 'https://x:6443' } }],
      users: [{ name: 'u', user: { tokenFile: 'no-token.txt' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    });
    const ep = resolveEndpoint(readKubeconfigs(kubeconfigSource(gone, {})), 'ctx');
    if ('error' in ep) throw new Error(ep.detail);
    const failure = await authFor(ep, kubeconfigSource(gone, {}))
      .apply({ headers: {} })
      .then(
        () => 'applied',
        (e: unknown) => (isDiagnosticsError(e) ? `${e.diagnostics[0]!.summary}: ${e.diagnostics[0]!.detail}` : e),
      );
    expect(failure).toBe(`Cannot read the token file: Context "ctx" uses tokenFile: ${join(dir, 'no-token.txt')} does not exist.`);
  });

  it('with untrusted input, runs no exec credential plugin unless the CI allows its own', () => {
    const words = (env: Record<string, string>) => {
      try {
        connect({ cluster: 'east', context: 'exec', kubeconfig: b, env }).close();
        return 'connected';
      } catch (e) {
        if (!isDiagnosticsError(e)) throw e;
        return e.diagnostics[0]!.summary;
      }
    };
    expect(words({})).toBe('connected');
    expect(words({ MESHCTL_UNTRUSTED: '1' })).toBe('Credential plugin not allowed');
    expect(words({ MESHCTL_UNTRUSTED: '1', MESHCTL_ALLOW_CREDENTIAL_PLUGINS: 'true' })).toBe('connected');
    // Static credentials need no permission.
    expect(connect({ cluster: 'east', context: 'two', kubeconfig: b, env: { MESHCTL_UNTRUSTED: '1' } })).toBeDefined();
  });

  it('says where a kubeconfig is malformed without quoting it (its lines hold tokens)', () => {
    const bad = file('malformed.yaml', 'users:\n- name: x\n  user:\n    token: SECRET-TOKEN-123\n   bad: [\n');
    let detail = '';
    try {
      connect({ cluster: 'east', context: 'x', kubeconfig: bad, env: {} });
    } catch (e) {
      if (!isDiagnosticsError(e)) throw e;
      detail = e.diagnostics[0]!.detail;
    }
    expect(detail).toBe(`Cluster "east": reading ${bad} failed: ${bad} is not a valid kubeconfig: All mapping items must start at the same column at line 5, column 1`);
    expect(detail).not.toContain('SECRET');
  });

  it('warns of a token sent over http:// to another host, and of an unverified server certificate', () => {
    const risky = file('risky.yaml', {
      clusters: [
        { name: 'plain', cluster: { server: 'http://mesh.example:8080' } },
        { name: 'local', cluster: { server: 'http://127.0.0.1:8001' } },
        { name: 'unverified', cluster: { server: 'https://mesh.example:6443', 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'tok', user: { token: 'abc' } }],
      contexts: [
        { name: 'plain', context: { cluster: 'plain', user: 'tok' } },
        { name: 'local', context: { cluster: 'local', user: 'tok' } },
        { name: 'unverified', context: { cluster: 'unverified', user: 'tok' } },
      ],
    });
    const said = (context: string) => connect({ cluster: 'east', context, kubeconfig: risky, env: {} }).warnings.map((w) => `${w.summary}: ${w.detail}`);
    expect(said('plain')).toEqual([
      'Credentials sent unencrypted: Context "plain" (cluster "east") sends its credential over http:// to http://mesh.example:8080: anyone on the network path can read it and act as you.',
    ]);
    expect(said('local')).toEqual([]);
    expect(said('unverified')).toEqual([
      'Server certificate not verified: Context "unverified" (cluster "east") sets insecure-skip-tls-verify: any machine between here and https://mesh.example:6443 can answer as the cluster and read the credential.',
    ]);
  });

  it('refuses a device as a kubeconfig instead of reading it without end', () => {
    let detail: string | undefined;
    try {
      connect({ cluster: 'east', context: 'x', kubeconfig: '/dev/zero', env: {} });
    } catch (e) {
      if (!isDiagnosticsError(e)) throw e;
      detail = e.diagnostics[0]!.detail;
    }
    expect(detail).toBe('Cluster "east": reading /dev/zero failed: /dev/zero is a character device, not a file');
  });
});
