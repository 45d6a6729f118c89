// Models that fit mesh.yaml but cannot be applied yet: errors, and no units for them.
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../../src/model/build.js';
import { cluster, guideTopology, istio, meshOf, primary, remote } from './fixtures.js';
import { graphProblems } from './graph-checks.js';
import { ids } from './units.js';

describe('models apply cannot handle yet', () => {
  it('refuses ambient for the whole mesh', () => {
    const { desired, diagnostics } = buildDesired(guideTopology({ istio: istio('1.31.0', { dataPlaneMode: 'ambient' }) }));
    expect(desired.units).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', summary: 'Not supported by apply yet', path: 'istio.dataPlaneMode' })]);
  });

  it('leaves out an external control plane and the remotes it controls, and builds the rest', () => {
    const { desired, diagnostics } = buildDesired(
      meshOf({
        clusters: [primary('cluster1'), primary('cluster2'), cluster('external1', 'external', { network: 'network2' }), remote('remote1', { network: 'network2', controlPlane: 'external1' })],
      }),
    );
    expect(diagnostics.map((d) => [d.severity, d.summary, d.path])).toEqual([
      ['error', 'Not supported by apply yet', 'clusters.external1.role'],
      ['error', 'Not supported by apply yet', 'clusters.remote1.controlPlane'],
    ]);
    expect(ids(desired).filter((id) => /external1|remote1/.test(id))).toEqual([]);
    expect(ids(desired)).toContain('cluster1/remote-secret/cluster2');
    expect(graphProblems(desired.units)).toEqual([]);
  });

  it('reports a gateway that is needed but disabled, and leaves out that primary and its remote', () => {
    const { desired, diagnostics } = buildDesired(
      meshOf({
        clusters: [primary('cluster1', { eastWestGateway: { enabled: false } }), remote('cluster2', { controlPlane: 'cluster1' })],
      }),
    );
    expect(diagnostics.map((d) => [d.summary, d.path])).toEqual([
      ['East-west gateway required', 'clusters.cluster1.eastWestGateway.enabled'],
      ['Primary cannot be applied', 'clusters.cluster2.controlPlane'],
    ]);
    expect(desired.units).toEqual([]);
  });

  it('creates a gateway a single-network multi-primary mesh does not need only when asked for', () => {
    const { desired, diagnostics } = buildDesired(
      meshOf({
        clusters: [primary('cluster1', { eastWestGateway: { enabled: false } }), primary('cluster2'), primary('cluster3', { eastWestGateway: { enabled: true } })],
      }),
    );
    expect(diagnostics).toEqual([]);
    expect(desired.units.filter((u) => u.kind === 'eastwest-gateway').map((u) => u.id)).toEqual(['cluster3/eastwest-gateway']);
    expect(desired.units.filter((u) => u.kind === 'expose-services')).toEqual([]);
    expect(graphProblems(desired.units)).toEqual([]);
  });

  it('reports a remote whose control plane is not a primary as a bug (validation rejects it)', () => {
    const { desired, diagnostics } = buildDesired(meshOf({ clusters: [primary('cluster1'), remote('cluster2', { controlPlane: 'nowhere' })] }));
    expect(diagnostics).toEqual([expect.objectContaining({ summary: 'Remote without a primary' })]);
    expect(ids(desired).some((id) => id.includes('cluster2'))).toBe(false);
    expect(graphProblems(desired.units)).toEqual([]);
  });
});
