import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/trust/fingerprint.js';
import { checkLiveCacerts, LIVE_SUMMARIES } from '../../../src/trust/live.js';
import { meshOf, type Mesh } from './fixtures.js';

let mesh: Mesh;
let other: Mesh;
beforeAll(async () => {
  mesh = await meshOf(['cluster1', 'cluster2']);
  other = await meshOf(['cluster1']);
});

/** A live Secret's data as observe hands it over: base64-decoded PEM text. */
function liveData(m: Mesh, cluster: string): Record<string, string> {
  const ca = m.cas.get(cluster)!;
  return {
    'ca-cert.pem': ca.certPem,
    'ca-key.pem': ca.key.reveal(),
    'root-cert.pem': m.root.certPem,
    'cert-chain.pem': ca.certPem + m.root.certPem,
  };
}

describe('checkLiveCacerts', () => {
  it('accepts live cacerts under the same root, even with another intermediate', () => {
    const desired = mesh.material.get('cluster1')!;
    expect(checkLiveCacerts({ cluster: 'cluster1', live: liveData(mesh, 'cluster1'), desired })).toEqual([]);
    // cluster2's intermediate in cluster1: same root, so not this check's business.
    expect(checkLiveCacerts({ cluster: 'cluster1', live: liveData(mesh, 'cluster2'), desired })).toEqual([]);
  });

  it('reports a live root that differs, with both fingerprints, and never proposes to overwrite', () => {
    const diags = checkLiveCacerts({ cluster: 'cluster1', live: liveData(other, 'cluster1'), desired: mesh.material.get('cluster1')! });
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ severity: 'error', summary: LIVE_SUMMARIES.otherRoot, path: 'clusters.cluster1' });
    expect(diags[0]!.detail).toContain(fingerprint(other.root.certPem));
    expect(diags[0]!.detail).toContain(fingerprint(mesh.root.certPem));
    expect(diags[0]!.detail).toContain('reported, never silently overwritten');
  });

  it('reads the root from ca.crt (TLS-style keys) when root-cert.pem is absent', () => {
    const diags = checkLiveCacerts({ cluster: 'cluster1', live: { 'tls.crt': 'x', 'ca.crt': other.root.certPem }, desired: mesh.material.get('cluster1')! });
    expect(diags.map((d) => d.summary)).toEqual([LIVE_SUMMARIES.otherRoot]);
  });

  it('falls back to the last entry of cert-chain.pem', () => {
    const { 'root-cert.pem': _, ...live } = liveData(other, 'cluster1');
    const diags = checkLiveCacerts({ cluster: 'cluster1', live, desired: mesh.material.get('cluster1')! });
    expect(diags.map((d) => d.summary)).toEqual([LIVE_SUMMARIES.otherRoot]);
    const { 'root-cert.pem': __, ...same } = liveData(mesh, 'cluster1');
    expect(checkLiveCacerts({ cluster: 'cluster1', live: same, desired: mesh.material.get('cluster1')! })).toEqual([]);
  });

  it('reports live data with no readable root as an error', () => {
    const diags = checkLiveCacerts({ cluster: 'cluster1', live: { 'root-cert.pem': 'garbage' }, desired: mesh.material.get('cluster1')! });
    expect(diags.map((d) => [d.severity, d.summary])).toEqual([['error', LIVE_SUMMARIES.unreadable]]);
  });
});
