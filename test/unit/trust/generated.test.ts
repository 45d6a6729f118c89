import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticsError } from '../../../src/diagnostics.js';
import { ensureTrust, readTrust, ROOT_GENERATED_SUMMARY } from '../../../src/trust/ensure.js';
import { fingerprint } from '../../../src/trust/fingerprint.js';
import { FAST_PROFILE, summaries, T0, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

const trustDir = () => join(dir, 'trust');
const ensure = (clusters: string[], now = T0) => ensureTrust({ settings: { mode: 'generated', directory: trustDir() }, clusters, now, profile: FAST_PROFILE });

/** Every file under the trust directory with its bytes, mode and mtime. */
async function snapshot(root: string): Promise<Map<string, { bytes: string; mode: number; mtimeMs: number }>> {
  const out = new Map<string, { bytes: string; mode: number; mtimeMs: number }>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const st = await stat(path);
    out.set(path.slice(root.length + 1), { bytes: entry.isFile() ? await readFile(path, 'utf8') : '', mode: st.mode & 0o777, mtimeMs: st.mtimeMs });
  }
  return out;
}

describe('ensureTrust, generated mode', () => {
  it("lays files out like Istio's tools/certs, 0600 files in 0700 directories", async () => {
    const result = await ensure(['cluster1', 'cluster2']);
    expect(result.issued).toEqual({ root: true, clusters: ['cluster1', 'cluster2'] });
    const files = await snapshot(trustDir());
    expect([...files.keys()].sort()).toEqual([
      'cluster1',
      'cluster1/ca-cert.pem',
      'cluster1/ca-key.pem',
      'cluster1/cert-chain.pem',
      'cluster1/root-cert.pem',
      'cluster2',
      'cluster2/ca-cert.pem',
      'cluster2/ca-key.pem',
      'cluster2/cert-chain.pem',
      'cluster2/root-cert.pem',
      'root-cert.pem',
      'root-key.pem',
    ]);
    expect((await stat(trustDir())).mode & 0o777).toBe(0o700);
    for (const [name, f] of files) expect([name, f.mode]).toEqual([name, name.endsWith('.pem') ? 0o600 : 0o700]);
    // cert-chain.pem = ca-cert.pem + root-cert.pem, and the cluster's root is the directory's.
    const c1 = (n: string) => files.get(`cluster1/${n}`)!.bytes;
    expect(c1('cert-chain.pem')).toBe(c1('ca-cert.pem') + files.get('root-cert.pem')!.bytes);
    expect(c1('root-cert.pem')).toBe(files.get('root-cert.pem')!.bytes);
    expect(new X509Certificate(c1('ca-cert.pem')).subject).toContain('L=cluster1');
  });

  it('returns the material, passing every check, plus one warning to keep the root key safe', async () => {
    const result = await ensure(['cluster1', 'cluster2']);
    expect([...result.material.keys()]).toEqual(['cluster1', 'cluster2']);
    expect(result.diagnostics.map((d) => [d.severity, d.summary])).toEqual([['warning', ROOT_GENERATED_SUMMARY]]);
    expect(result.diagnostics[0]!.detail).toContain(join(trustDir(), 'root-key.pem'));
    const m = result.material.get('cluster2')!;
    expect(m.origin).toEqual({
      kind: 'generated',
      settingsPath: 'trust.generated.directory',
      files: {
        'ca-cert.pem': join(trustDir(), 'cluster2', 'ca-cert.pem'),
        'ca-key.pem': join(trustDir(), 'cluster2', 'ca-key.pem'),
        'root-cert.pem': join(trustDir(), 'cluster2', 'root-cert.pem'),
        'cert-chain.pem': join(trustDir(), 'cluster2', 'cert-chain.pem'),
      },
    });
    expect(m.caKey.reveal()).toBe(await readFile(m.origin.files['ca-key.pem'], 'utf8'));
  });

  it('is idempotent: a second run changes no file and issues nothing', async () => {
    const first = await ensure(['cluster1', 'cluster2']);
    const before = await snapshot(trustDir());
    const second = await ensure(['cluster1', 'cluster2']);
    expect(await snapshot(trustDir())).toEqual(before);
    expect(second.issued).toEqual({ root: false, clusters: [] });
    expect(second.diagnostics).toEqual([]);
    for (const c of ['cluster1', 'cluster2']) {
      const [a, b] = [first.material.get(c)!, second.material.get(c)!];
      expect([b.caCert, b.certChain, b.rootCert, b.caKey.reveal()]).toEqual([a.caCert, a.certChain, a.rootCert, a.caKey.reveal()]);
    }
  });

  it('adding a cluster issues only its intermediate, under the same root', async () => {
    await ensure(['cluster1']);
    const before = await snapshot(trustDir());
    const result = await ensure(['cluster1', 'cluster2']);
    expect(result.issued).toEqual({ root: false, clusters: ['cluster2'] });
    expect(result.diagnostics).toEqual([]);
    const after = await snapshot(trustDir());
    for (const [name, f] of before) expect(after.get(name)).toEqual(f);
    expect([...after.keys()].filter((k) => !before.has(k)).sort()).toEqual(['cluster2', 'cluster2/ca-cert.pem', 'cluster2/ca-key.pem', 'cluster2/cert-chain.pem', 'cluster2/root-cert.pem']);
    expect(fingerprint(result.material.get('cluster2')!.rootCert)).toBe(fingerprint(result.material.get('cluster1')!.rootCert));
  });

  it('works with the root key moved offline until a new cluster needs it', async () => {
    await ensure(['cluster1']);
    await rename(join(trustDir(), 'root-key.pem'), join(dir, 'offline-root-key.pem'));
    const existing = await ensure(['cluster1']);
    expect(existing.diagnostics).toEqual([]);
    expect(existing.material.has('cluster1')).toBe(true);
    const added = await ensure(['cluster1', 'cluster2']);
    expect(summaries(added.diagnostics)).toEqual(['Root CA key not available']);
    expect(added.material.has('cluster2')).toBe(false);
    expect(added.material.has('cluster1')).toBe(true);
  });

  it('never completes or replaces a partial cluster directory', async () => {
    await ensure(['cluster1']);
    await rename(join(trustDir(), 'cluster1', 'ca-key.pem'), join(dir, 'moved.pem'));
    const before = await snapshot(trustDir());
    const result = await ensure(['cluster1']);
    expect(summaries(result.diagnostics)).toEqual(['Incomplete cluster CA files']);
    expect(result.diagnostics[0]!.detail).toContain('ca-key.pem');
    expect(result.material.size).toBe(0);
    expect(await snapshot(trustDir())).toEqual(before);
  });

  it('refuses to mint a new root beside existing cluster material', async () => {
    await ensure(['cluster1']);
    await rename(join(trustDir(), 'root-cert.pem'), join(dir, 'r.pem'));
    await rename(join(trustDir(), 'root-key.pem'), join(dir, 'k.pem'));
    const result = await ensure(['cluster1', 'cluster2']);
    expect(summaries(result.diagnostics)).toEqual(['Root CA missing']);
    expect(result.issued.root).toBe(false);
    await expect(stat(join(trustDir(), 'root-key.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a root key without its certificate', async () => {
    await mkdir(trustDir(), { mode: 0o700 });
    await writeFile(join(trustDir(), 'root-key.pem'), 'key', { mode: 0o600 });
    const result = await ensure(['cluster1']);
    expect(summaries(result.diagnostics)).toEqual(['Root CA certificate missing']);
    expect(await readFile(join(trustDir(), 'root-key.pem'), 'utf8')).toBe('key');
  });

  it('rejects cluster names that would escape the directory, issuing the others', async () => {
    const result = await ensure(['../evil', 'cluster1']);
    expect(summaries(result.diagnostics)).toEqual(['Cluster name unusable as a directory', ROOT_GENERATED_SUMMARY]);
    expect([...result.material.keys()]).toEqual(['cluster1']);
    await expect(stat(join(dir, 'evil'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('warns when an existing directory is open to other users', async () => {
    await mkdir(trustDir(), { mode: 0o755 });
    await chmod(trustDir(), 0o755);
    const result = await ensure(['cluster1']);
    const loose = result.diagnostics.find((d) => d.summary === 'Private CA material readable by others');
    expect(loose).toMatchObject({ severity: 'warning', hint: `chmod 700 ${trustDir()}` });
    const reading = await readTrust({ settings: { mode: 'generated', directory: trustDir() }, clusters: ['cluster1'], now: T0 });
    expect(reading.diagnostics).toEqual([expect.objectContaining({ summary: 'Private CA material readable by others' })]);
  });

  it('turns an unusable directory into a diagnostic error', async () => {
    await writeFile(join(dir, 'file'), '');
    const run = ensureTrust({ settings: { mode: 'generated', directory: join(dir, 'file', 'trust') }, clusters: ['c'], now: T0, profile: FAST_PROFILE });
    await expect(run).rejects.toBeInstanceOf(DiagnosticsError);
    await expect(run).rejects.toMatchObject({ diagnostics: [{ summary: 'Cannot use trust directory' }] });
  });

  it('readTrust (plan) on a fresh directory creates nothing and reports everything as pending', async () => {
    const reading = await readTrust({ settings: { mode: 'generated', directory: trustDir() }, clusters: ['cluster1', 'cluster2'], now: T0 });
    expect(reading).toEqual({ material: new Map(), diagnostics: [], pending: { root: true, clusters: ['cluster1', 'cluster2'] } });
    await expect(stat(trustDir())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('readTrust returns existing material, lists only new clusters as pending, and changes no file', async () => {
    const made = await ensure(['cluster1']);
    const before = await snapshot(trustDir());
    const reading = await readTrust({ settings: { mode: 'generated', directory: trustDir() }, clusters: ['cluster1', 'cluster2'], now: T0 });
    expect(reading.pending).toEqual({ root: false, clusters: ['cluster2'] });
    expect(reading.diagnostics).toEqual([]);
    expect([...reading.material.keys()]).toEqual(['cluster1']);
    expect(reading.material.get('cluster1')!.caCert).toBe(made.material.get('cluster1')!.caCert);
    expect(await snapshot(trustDir())).toEqual(before);
  });

  it('readTrust reports at plan time that a new cluster cannot be issued without the root key', async () => {
    await ensure(['cluster1']);
    await rename(join(trustDir(), 'root-key.pem'), join(dir, 'offline-root-key.pem'));
    const reading = await readTrust({ settings: { mode: 'generated', directory: trustDir() }, clusters: ['cluster1', 'cluster2'], now: T0 });
    expect(summaries(reading.diagnostics)).toEqual(['Root CA key not available']);
    expect(reading.pending).toEqual({ root: false, clusters: [] });
  });

  it('does nothing in mode none', async () => {
    const result = await ensureTrust({ settings: { mode: 'none' }, clusters: ['cluster1'], now: T0 });
    expect(result).toEqual({ material: new Map(), diagnostics: [], issued: { root: false, clusters: [] } });
  });
});
