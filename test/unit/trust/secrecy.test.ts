// No private key bytes anywhere but the key files: not in what ensureTrust returns (when
// serialised or printed), not in plan-safe descriptions, diagnostics, or the certificate
// entries of the Secret data, and not in any other file of the trust directory.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacertsData, describeCacerts } from '../../../src/trust/cacerts.js';
import { checkTrust } from '../../../src/trust/check.js';
import { ensureTrust, type TrustResult } from '../../../src/trust/ensure.js';
import { checkLiveCacerts } from '../../../src/trust/live.js';
import { pemBlocks } from '../../../src/trust/pem.js';
import { FAST_PROFILE, meshOf, T0, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

/** Strings that would betray a key: its DER in base64 (whole and as PEM lines), its PEM base64-encoded. */
function needlesOf(keyPem: string): string[] {
  const der = pemBlocks(keyPem)[0]!.der.toString('base64');
  const lines = der.match(/.{1,64}/g)!;
  return [der, ...lines, Buffer.from(keyPem).toString('base64').slice(0, 120)];
}

function expectNoKeys(haystack: string, needles: string[]): void {
  // Booleans rather than toContain: a failure must not print the haystack (with the key) to the log.
  expect(haystack.includes('PRIVATE KEY'), 'found a PEM private key header').toBe(false);
  for (const n of needles) expect(haystack.includes(n), `found key bytes: ${n.slice(0, 16)}…`).toBe(false);
}

/** Everything a caller could print or store: the result and each derived plan-safe value. */
function publicOutputs(result: TrustResult): string[] {
  const material = Object.fromEntries(result.material);
  const outputs = [
    JSON.stringify({ ...result, material }),
    inspect(result, { depth: Infinity }),
    `${[...result.material.values()].map((m) => `${m.caKey}`).join()}`,
    JSON.stringify(checkTrust({ material: result.material, now: T0 })),
  ];
  for (const m of result.material.values()) {
    outputs.push(JSON.stringify(describeCacerts(m)));
    const { 'ca-key.pem': _key, ...certs } = cacertsData(m);
    outputs.push(JSON.stringify(certs), ...Object.values(certs).map((v) => Buffer.from(v, 'base64').toString('utf8')));
  }
  return outputs;
}

describe('private keys stay in the key files', () => {
  it('generated mode: result, descriptions, checks, Secret certificates and other files hold no key bytes', async () => {
    const directory = join(dir, 'trust');
    const result = await ensureTrust({ settings: { mode: 'generated', directory }, clusters: ['cluster1', 'cluster2'], now: T0, profile: FAST_PROFILE });
    expect(result.material.size).toBe(2);

    const keyFiles = ['root-key.pem', 'cluster1/ca-key.pem', 'cluster2/ca-key.pem'];
    const needles = (await Promise.all(keyFiles.map((f) => readFile(join(directory, f), 'utf8')))).flatMap(needlesOf);
    for (const out of publicOutputs(result)) expectNoKeys(out, needles);

    const files = (await readdir(directory, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    const others = files.map((e) => join(e.parentPath, e.name).slice(directory.length + 1)).filter((f) => !keyFiles.includes(f));
    expect(others).toHaveLength(7);
    for (const f of others) expectNoKeys(await readFile(join(directory, f), 'utf8'), needles);
  });

  it('the root key never reaches a cluster Secret', async () => {
    const directory = join(dir, 'trust');
    const result = await ensureTrust({ settings: { mode: 'generated', directory }, clusters: ['cluster1'], now: T0, profile: FAST_PROFILE });
    const rootNeedles = needlesOf(await readFile(join(directory, 'root-key.pem'), 'utf8'));
    const data = cacertsData(result.material.get('cluster1')!);
    const all = Object.values(data)
      .flatMap((v) => [v, Buffer.from(v, 'base64').toString('utf8')])
      .join('\n');
    for (const n of rootNeedles) expect(all.includes(n)).toBe(false);
  });

  it('provided mode with a mismatched key: diagnostics do not echo either key', async () => {
    const mesh = await meshOf(['cluster1', 'cluster2']);
    const write = async (name: string, text: string) => {
      await writeFile(join(dir, name), text, { mode: 0o600 });
      return join(dir, name);
    };
    const c1 = mesh.cas.get('cluster1')!;
    const wrongKey = mesh.cas.get('cluster2')!.key.reveal();
    const settings = {
      mode: 'provided' as const,
      rootCert: await write('root.pem', mesh.root.certPem),
      clusters: { cluster1: { cert: await write('c.pem', c1.certPem), key: await write('k.pem', wrongKey), chain: await write('ch.pem', c1.certPem + mesh.root.certPem) } },
    };
    const result = await ensureTrust({ settings, clusters: ['cluster1'], now: T0 });
    expect(result.diagnostics.map((d) => d.summary)).toEqual(['CA key does not match certificate']);
    const needles = [...needlesOf(wrongKey), ...needlesOf(c1.key.reveal())];
    for (const out of publicOutputs(result)) expectNoKeys(out, needles);
    // Live data carrying a key is read for its root only; the diagnostic does not copy it.
    const other = await meshOf(['cluster1']);
    const live = { 'ca-key.pem': other.cas.get('cluster1')!.key.reveal(), 'root-cert.pem': other.root.certPem };
    const liveDiags = JSON.stringify(checkLiveCacerts({ cluster: 'cluster1', live, desired: result.material.get('cluster1')! }));
    expect(liveDiags).toContain('another root');
    expectNoKeys(liveDiags, needlesOf(live['ca-key.pem']));
  });
});
