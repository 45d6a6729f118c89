// Over arbitrary topologies (any mix of roles, networks, versions, trust modes, gateway
// settings, including ones validation would reject), buildDesired never throws and always
// returns a well-formed graph: unique ids, no dangling dependency, no cycle, every Unknown
// resolvable from a direct dependency, units in the fixed order, and the same result twice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterSpec, TrustSettings } from '../../../src/config/topology.js';
import { buildDesired } from '../../../src/model/build.js';
import { unitKindRank } from '../../../src/model/order.js';
import { cluster, istio, meshOf } from './fixtures.js';
import { graphProblems } from './graph-checks.js';

const names = ['a', 'b', 'c', 'd', 'e', 'f'];

const clusterArb = (name: string): fc.Arbitrary<ClusterSpec> =>
  fc
    .record({
      role: fc.constantFrom('primary', 'primary', 'remote', 'remote', 'external') as fc.Arbitrary<ClusterSpec['role']>,
      network: fc.constantFrom('n1', 'n2', 'n3'),
      controlPlane: fc.option(fc.constantFrom(...names), { nil: undefined }),
      apiServer: fc.option(fc.constant(`https://${name}.example:6443`), { nil: undefined }),
      // Mostly enabled: a needed-but-disabled gateway leaves its cluster out, which is tested
      // elsewhere and would otherwise empty most samples.
      enabled: fc.integer({ min: 0, max: 7 }).map((n) => n !== 0),
      serviceType: fc.constantFrom('LoadBalancer', 'NodePort', 'ClusterIP') as fc.Arbitrary<'LoadBalancer'>,
    })
    .map((r) =>
      cluster(name, r.role, {
        network: r.network,
        ...(r.role === 'remote' && r.controlPlane !== undefined ? { controlPlane: r.controlPlane } : {}),
        ...(r.apiServer ? { apiServer: r.apiServer } : {}),
        eastWestGateway: { enabled: r.enabled, serviceType: r.serviceType },
      }),
    );

export const topologyArb = fc
  .record({
    clusters: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }).chain((ns) => fc.tuple(...ns.map(clusterArb))),
    minor: fc.integer({ min: 20, max: 32 }),
    revision: fc.option(fc.constantFrom('canary', '1-31'), { nil: undefined }),
    // Ambient is a whole-mesh switch that empties the result; keep it rare (1 in 10).
    ambient: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    trust: fc.constantFrom<TrustSettings>({ mode: 'none' }, { mode: 'generated', directory: '/t' }),
  })
  .map((r) =>
    meshOf({
      clusters: r.clusters,
      trust: r.trust,
      istio: istio(`1.${r.minor}.0`, {
        ...(r.revision ? { revision: r.revision } : {}),
        dataPlaneMode: r.ambient ? 'ambient' : 'sidecar',
      }),
    }),
  );

describe('buildDesired over generated topologies', () => {
  it('never throws and always returns a well-formed, ordered, deterministic graph', () => {
    fc.assert(
      fc.property(topologyArb, (topology) => {
        const result = buildDesired(topology);
        const units = result.desired.units;
        expect(graphProblems(units)).toEqual([]);
        const sorted = [...units].sort((x, y) => (x.cluster < y.cluster ? -1 : x.cluster > y.cluster ? 1 : unitKindRank(x.kind) - unitKindRank(y.kind)));
        expect(units.map((u) => u.id)).toEqual(sorted.map((u) => u.id));
        expect(buildDesired(topology)).toEqual(result);
        // Every cluster of the topology is either built or explained by an error.
        const built = new Set(units.map((u) => u.cluster));
        const leftOut = topology.clusters.filter((c) => !built.has(c.name));
        if (leftOut.length > 0) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives every remote it builds exactly one controlling primary that holds its secret', () => {
    fc.assert(
      fc.property(topologyArb, (topology) => {
        const { desired } = buildDesired(topology);
        for (const c of topology.clusters.filter((x) => x.role === 'remote')) {
          const ns = desired.units.find((u) => u.id === `${c.name}/namespace`);
          if (!ns) continue;
          const controller = ns.objects[0]?.metadata.annotations?.['topology.istio.io/controlPlaneClusters'];
          expect(controller).toBe(c.controlPlane);
          const waited = desired.units.filter((u) => u.kind === 'remote-secret' && u.waits.some((w) => w.kind === 'webhook-cabundle' && w.cluster === c.name));
          expect(waited.map((u) => u.cluster)).toEqual([controller]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
