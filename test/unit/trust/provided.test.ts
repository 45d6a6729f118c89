import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TrustSettings } from '../../../src/config/topology.js';
import { CHAIN_SUMMARIES } from '../../../src/trust/chain.js';
import { ensureTrust, readTrust } from '../../../src/trust/ensure.js';
import { issueOdd, meshOf, summaries, T0, tempDir, type Mesh } from './fixtures.js';

let mesh: Mesh;
let other: Mesh;
beforeAll(async () => {
  mesh = await meshOf(['cluster1', 'cluster2']);
  other = await meshOf(['cluster1']);
});

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

interface Files {
  root: string;
  clusters: Record<string, { cert: string; key: string; chain: string }>;
}

/** Writes the user's files (key 0600, as a careful user would) and returns the settings. */
async function provide(files: Files): Promise<Extract<TrustSettings, { mode: 'provided' }>> {
  const rootCert = join(dir, 'root-cert.pem');
  await writeFile(rootCert, files.root);
  const clusters: Record<string, { cert: string; key: string; chain: string }> = {};
  for (const [name, f] of Object.entries(files.clusters)) {
    await mkdir(join(dir, name));
    const paths = { cert: join(dir, name, 'ca-cert.pem'), key: join(dir, name, 'ca-key.pem'), chain: join(dir, name, 'cert-chain.pem') };
    await writeFile(paths.cert, f.cert);
    await writeFile(paths.key, f.key, { mode: 0o600 });
    await writeFile(paths.chain, f.chain);
    clusters[name] = paths;
  }
  return { mode: 'provided', rootCert, clusters };
}

function filesOf(m: Mesh, clusters: string[]): Files['clusters'] {
  return Object.fromEntries(
    clusters.map((c) => {
      const ca = m.cas.get(c)!;
      return [c, { cert: ca.certPem, key: ca.key.reveal(), chain: ca.certPem + m.root.certPem }];
    }),
  );
}

const run = (settings: TrustSettings, clusters = ['cluster1', 'cluster2']) => ensureTrust({ settings, clusters, now: T0 });

describe('ensureTrust, provided mode', () => {
  it('loads the user files and accepts a valid mesh', async () => {
    const settings = await provide({ root: mesh.root.certPem, clusters: filesOf(mesh, ['cluster1', 'cluster2']) });
    const result = await run(settings);
    expect(result.diagnostics).toEqual([]);
    expect(result.issued).toEqual({ root: false, clusters: [] });
    const m = result.material.get('cluster2')!;
    expect(m.caCert).toBe(mesh.cas.get('cluster2')!.certPem);
    expect(m.rootCert).toBe(mesh.root.certPem);
    expect(m.origin).toEqual({
      kind: 'provided',
      settingsPath: 'trust.provided.clusters.cluster2',
      files: {
        'ca-cert.pem': settings.clusters['cluster2']!.cert,
        'ca-key.pem': settings.clusters['cluster2']!.key,
        'root-cert.pem': settings.rootCert,
        'cert-chain.pem': settings.clusters['cluster2']!.chain,
      },
    });
  });

  it('readTrust reads the same material and never has anything pending', async () => {
    const settings = await provide({ root: mesh.root.certPem, clusters: filesOf(mesh, ['cluster1', 'cluster2']) });
    const reading = await readTrust({ settings, clusters: ['cluster1', 'cluster2'], now: T0 });
    expect(reading.diagnostics).toEqual([]);
    expect(reading.pending).toEqual({ root: false, clusters: [] });
    expect([...reading.material.keys()]).toEqual(['cluster1', 'cluster2']);
  });

  it('normalises CRLF files so the same certificate always has the same bytes', async () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    const files = filesOf(mesh, ['cluster1']);
    files['cluster1']!.chain = crlf(files['cluster1']!.chain);
    const result = await run(await provide({ root: crlf(mesh.root.certPem), clusters: files }), ['cluster1']);
    expect(result.diagnostics).toEqual([]);
    expect(result.material.get('cluster1')!.certChain).toBe(mesh.cas.get('cluster1')!.certPem + mesh.root.certPem);
  });

  it('rejects a key that belongs to another certificate, pointing at the key file', async () => {
    const files = filesOf(mesh, ['cluster1', 'cluster2']);
    files['cluster1']!.key = mesh.cas.get('cluster2')!.key.reveal();
    const settings = await provide({ root: mesh.root.certPem, clusters: files });
    const diags = (await run(settings)).diagnostics;
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.keyMismatch]);
    expect(diags[0]).toMatchObject({ severity: 'error', path: 'trust.provided.clusters.cluster1' });
    expect(diags[0]!.detail).toContain(settings.clusters['cluster1']!.key);
  });

  it('rejects intermediates that do not chain to the given root', async () => {
    const settings = await provide({ root: other.root.certPem, clusters: filesOf(mesh, ['cluster1', 'cluster2']) });
    const diags = (await run(settings)).diagnostics;
    expect(diags.map((d) => [d.severity, d.summary, d.path])).toEqual([
      ['error', CHAIN_SUMMARIES.brokenLink, 'trust.provided.clusters.cluster1'],
      ['error', CHAIN_SUMMARIES.brokenLink, 'trust.provided.clusters.cluster2'],
    ]);
  });

  it('rejects an intermediate that is not a CA', async () => {
    const leaf = await issueOdd({ issuer: mesh.root, subject: 'CN=leaf', ca: false, keyUsage: x509.KeyUsageFlags.digitalSignature });
    const files = filesOf(mesh, ['cluster1']);
    files['cluster1'] = { cert: leaf.certPem, key: leaf.key.reveal(), chain: leaf.certPem + mesh.root.certPem };
    const diags = (await run(await provide({ root: mesh.root.certPem, clusters: files }), ['cluster1'])).diagnostics;
    expect(summaries(diags)).toEqual([CHAIN_SUMMARIES.notCa]);
  });

  it('reports unreadable files and clusters without an entry, keeping the good ones', async () => {
    const settings = await provide({ root: mesh.root.certPem, clusters: filesOf(mesh, ['cluster1', 'cluster2']) });
    const broken = { ...settings, clusters: { ...settings.clusters, cluster2: { ...settings.clusters['cluster2']!, chain: join(dir, 'nope.pem') } } };
    const result = await run(broken, ['cluster1', 'cluster2', 'cluster3']);
    expect(result.diagnostics.map((d) => [d.summary, d.path])).toEqual([
      ['Cannot read CA file', 'trust.provided.clusters.cluster2'],
      ['No CA files for cluster', 'trust.provided.clusters'],
    ]);
    expect(result.diagnostics[0]!.detail).toContain(`${join(dir, 'nope.pem')}, which cannot be read: no such file`);
    expect([...result.material.keys()]).toEqual(['cluster1']);
  });

  it('warns when a key file is readable by others', async () => {
    const settings = await provide({ root: mesh.root.certPem, clusters: filesOf(mesh, ['cluster1']) });
    await chmod(settings.clusters['cluster1']!.key, 0o644);
    const diags = (await run(settings, ['cluster1'])).diagnostics;
    expect(diags).toEqual([expect.objectContaining({ severity: 'warning', summary: 'Private CA material readable by others', hint: `chmod 600 ${settings.clusters['cluster1']!.key}` })]);
  });
});
