// A generated root's key exists nowhere else: once its intermediates are in clusters, a power
// cut must not lose it. Every key and certificate is flushed (fsync) before it is used, and so
// is each directory entry naming one.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureTrust } from '../../../src/trust/ensure.js';
import { FAST_PROFILE, T0, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir());
});
afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

describe('generated trust material on disk', () => {
  it('flushes every file it writes, and the directories that name them, before returning', async () => {
    const synced = new Set<string>();
    const written = new Set<string>();
    const open = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (path, flags, mode) => {
      const fh = await open(path, flags, mode);
      const name = String(path);
      const sync = fh.sync.bind(fh);
      const writeFile = fh.writeFile.bind(fh);
      fh.sync = async () => (synced.add(name), sync());
      fh.writeFile = async (...a: Parameters<typeof fh.writeFile>) => (written.add(name), writeFile(...a));
      return fh;
    });
    const trust = join(dir, 'trust');
    await ensureTrust({ settings: { mode: 'generated', directory: trust }, clusters: ['cluster1'], now: T0, profile: FAST_PROFILE });

    const files = ['root-key.pem', 'root-cert.pem'].map((f) => join(trust, f));
    for (const f of files) expect(written.has(f) && synced.has(f), f).toBe(true);
    // The cluster's four files are written in a staging directory renamed into place.
    const clusterFiles = [...written].filter((f) => f.endsWith('ca-key.pem') || f.endsWith('ca-cert.pem') || f.endsWith('cert-chain.pem'));
    expect(clusterFiles.length).toBeGreaterThanOrEqual(3);
    for (const f of clusterFiles) expect(synced.has(f), f).toBe(true);
    expect(synced.has(trust)).toBe(true);
    expect([...synced].some((f) => f.includes('.cluster1.tmp-') && !f.endsWith('.pem'))).toBe(true);
  });
});
