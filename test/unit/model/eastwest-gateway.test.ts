// East-west gateway settings from mesh.yaml on top of the script's output.
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../../src/model/build.js';
import { istio, meshOf, primary, remote } from './fixtures.js';
import { goldenDoc } from './golden.js';
import { plain, unitById } from './units.js';

describe('east-west gateway settings', () => {
  it('reproduces the revisioned script output', () => {
    const { desired } = buildDesired(
      meshOf({
        clusters: [primary('cluster1'), primary('cluster2', { network: 'network2' })],
        istio: istio('1.31.0', { revision: 'canary' }),
      }),
    );
    expect(plain(unitById(desired, 'cluster1/eastwest-gateway').istioOperator)).toEqual(goldenDoc('eastwest-network1-revision-canary.yaml'));
  });

  it('sets the Service type and annotations, and waits for no LoadBalancer address on a NodePort', () => {
    const { desired } = buildDesired(
      meshOf({
        clusters: [
          primary('cluster1', {
            eastWestGateway: {
              serviceType: 'NodePort',
              annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
            },
          }),
          remote('cluster2', { network: 'network2', controlPlane: 'cluster1' }),
        ],
      }),
    );
    const unit = unitById(desired, 'cluster1/eastwest-gateway');
    const expected = goldenDoc('eastwest-network1.yaml') as { spec: { components: { ingressGateways: { k8s: Record<string, unknown> }[] } } };
    const k8s = expected.spec.components.ingressGateways[0]!.k8s;
    k8s.service = { type: 'NodePort', ...(k8s.service as object) };
    k8s.serviceAnnotations = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' };
    expect(plain(unit.istioOperator)).toEqual(expected);
    expect(unit.waits).toEqual([{ kind: 'deployment-available', namespace: 'istio-system', name: 'istio-eastwestgateway' }]);
    // The remote's gateway keeps the defaults: settings are per cluster.
    expect(plain(unitById(desired, 'cluster2/eastwest-gateway').istioOperator)).toEqual(goldenDoc('eastwest-network2.yaml'));
  });
});
