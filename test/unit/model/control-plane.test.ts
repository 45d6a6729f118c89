// The control-plane IstioOperator's version switch, revision, images and overlay.
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../../src/model/build.js';
import { supportsGlobalExternalIstiod } from '../../../src/model/control-plane.js';
import { controlPlaneId } from '../../../src/model/unit-id.js';
import { guideTopology, istio, meshOf, primary, remote } from './fixtures.js';
import { goldenDocs } from './golden.js';
import { plain, unitById } from './units.js';

function controlPlaneSpec(t: ReturnType<typeof guideTopology>, cluster: string) {
  return plain(unitById(buildDesired(t).desired, controlPlaneId(cluster, t.istio.revision)).istioOperator?.spec);
}

describe('external istiod switch by Istio version', () => {
  it.each([
    ['1.22.8', false],
    ['1.23.6', false],
    ['1.24.0', true],
    ['1.31.0', true],
    ['2.0.0', true],
  ] as const)('Istio %s uses values.global.externalIstiod: %s', (version, global) => {
    expect(supportsGlobalExternalIstiod(istio(version))).toBe(global);
    const spec = controlPlaneSpec(guideTopology({ istio: istio(version) }), 'cluster1') as {
      values: { global: Record<string, unknown>; pilot?: unknown };
    };
    if (global) {
      expect(spec.values.global.externalIstiod).toBe(true);
      expect(spec.values.pilot).toBeUndefined();
    } else {
      expect(spec.values.global).not.toHaveProperty('externalIstiod');
      expect(spec.values.pilot).toEqual({ env: { EXTERNAL_ISTIOD: true } });
    }
  });
});

describe('revision, hub and tag', () => {
  const revisioned = guideTopology({ istio: istio('1.31.0', { revision: 'canary' }) });
  const { desired } = buildDesired(revisioned);

  it('sets spec.revision on both control planes and passes it to the east-west script form', () => {
    expect(controlPlaneSpec(revisioned, 'cluster1')).toMatchObject({ revision: 'canary' });
    expect(controlPlaneSpec(revisioned, 'cluster2')).toMatchObject({ revision: 'canary', profile: 'remote' });
    expect(unitById(desired, 'cluster1/eastwest-gateway').istioOperator?.spec.revision).toBe('canary');
  });

  it('uses the revisioned expose-istiod template, istiod and webhook names', () => {
    expect(plain(unitById(desired, 'cluster1/expose-istiod').objects)).toEqual(goldenDocs('expose-istiod-rev-canary.yaml'));
    expect(unitById(desired, 'cluster1/control-plane/canary').waits).toContainEqual({
      kind: 'deployment-available',
      namespace: 'istio-system',
      name: 'istiod-canary',
    });
    expect(unitById(desired, 'cluster1/remote-secret/cluster2').waits).toEqual([{ kind: 'webhook-cabundle', cluster: 'cluster2', name: 'istio-sidecar-injector-canary' }]);
  });

  it('writes hub and tag only when they differ from what istioctl of that version uses', () => {
    expect(controlPlaneSpec(guideTopology(), 'cluster1')).not.toHaveProperty('hub');
    expect(controlPlaneSpec(guideTopology(), 'cluster1')).not.toHaveProperty('tag');
    const mirrored = guideTopology({ istio: istio('1.31.0', { hub: 'registry.local/istio', tag: '1.31.0-distroless' }) });
    for (const c of ['cluster1', 'cluster2']) {
      expect(controlPlaneSpec(mirrored, c)).toMatchObject({ hub: 'registry.local/istio', tag: '1.31.0-distroless' });
    }
  });
});

describe('istioOperatorOverlay', () => {
  it('deep-merges maps and replaces lists and scalars, over the generated spec', () => {
    const t = meshOf({
      clusters: [
        primary('cluster1', {
          istioOperatorOverlay: {
            meshConfig: { accessLogFile: '/dev/stdout' },
            values: { global: { logging: { level: 'default:debug' } }, pilot: { env: { PILOT_TRACE_SAMPLING: '1' } } },
            components: { ingressGateways: [{ name: 'istio-ingressgateway', enabled: false }] },
          },
        }),
        remote('cluster2', { network: 'network2', controlPlane: 'cluster1' }),
      ],
    });
    expect(controlPlaneSpec(t, 'cluster1')).toEqual({
      meshConfig: { accessLogFile: '/dev/stdout' },
      values: {
        global: {
          meshID: 'mesh1',
          multiCluster: { clusterName: 'cluster1' },
          network: 'network1',
          externalIstiod: true,
          logging: { level: 'default:debug' },
        },
        pilot: { env: { PILOT_TRACE_SAMPLING: '1' } },
      },
      components: { ingressGateways: [{ name: 'istio-ingressgateway', enabled: false }] },
    });
  });

  it('does not change the overlay it was given', () => {
    const overlay = { values: { global: { logAsJson: true } } };
    const t = meshOf({ clusters: [primary('cluster1', { istioOperatorOverlay: overlay })] });
    buildDesired(t);
    expect(overlay).toEqual({ values: { global: { logAsJson: true } } });
  });
});
