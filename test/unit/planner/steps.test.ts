// A unit's steps are the whole of what apply does in it: batches by kind rank, the waits that
// must hold before the next batch (CRDs established, deleted Namespaces and CRDs gone), and
// the unit's own readiness waits last. The executor adds none of its own.
import { describe, expect, it } from 'vitest';
import { configMap, crd, deployment, gateway, live, liveMap, namespace, planOf, stateAfterApply, unit } from '../support/mesh-fixtures.js';

describe('planned steps', () => {
  it('sends CRDs, waits until they are established, then the rest by rank, then the unit waits', () => {
    const u = unit({ objects: [gateway(), crd(), configMap(), deployment()], waits: [{ kind: 'deployment-available', namespace: 'istio-system', name: 'istiod' }] });
    const plan = planOf({ units: [u] });
    expect(plan.units[0]!.steps).toEqual([
      { step: 'send', addresses: ['cluster1/CustomResourceDefinition.apiextensions.k8s.io/_/gateways.networking.istio.io'] },
      { step: 'wait', wait: { kind: 'crds-established', names: ['gateways.networking.istio.io'] } },
      { step: 'send', addresses: ['cluster1/ConfigMap/istio-system/istio'] },
      { step: 'send', addresses: ['cluster1/Gateway.networking.istio.io/istio-system/cross-network-gateway'] },
      { step: 'send', addresses: ['cluster1/Deployment.apps/istio-system/istiod'] },
      { step: 'wait', wait: { kind: 'deployment-available', namespace: 'istio-system', name: 'istiod' } },
    ]);
  });

  it('plans no CRD wait for a CRD that is already as wanted', () => {
    const u = unit({ objects: [crd(), configMap()] });
    const plan = planOf({ units: [u], live: liveMap('cluster1', [live(crd()), live(configMap())]), prior: stateAfterApply([u]) });
    expect(plan.units[0]!.steps.filter((s) => s.step === 'wait')).toEqual([]);
  });

  it('waits, on destroy, until deleted Namespaces and CRDs are gone, and for nothing else', () => {
    const ns = unit({ kind: 'namespace', objects: [namespace()] });
    const crds = unit({ kind: 'crds', objects: [crd(), crd('virtualservices.networking.istio.io')] });
    const cp = unit({ kind: 'control-plane', objects: [configMap()] });
    const all = [ns, crds, cp];
    const everything = liveMap('cluster1', [live(namespace()), live(crd()), live(crd('virtualservices.networking.istio.io')), live(configMap())]);
    const plan = planOf({ mode: 'destroy', units: all, live: everything, prior: stateAfterApply(all) });
    const waits = plan.units.flatMap((u) => u.steps.filter((s) => s.step === 'wait').map((s) => [u.id, s]));
    expect(waits).toEqual([
      [
        'cluster1/crds',
        {
          step: 'wait',
          wait: {
            kind: 'gone',
            refs: [
              { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'gateways.networking.istio.io' },
              { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'virtualservices.networking.istio.io' },
            ],
          },
        },
      ],
      ['cluster1/namespace', { step: 'wait', wait: { kind: 'gone', refs: [{ apiVersion: 'v1', kind: 'Namespace', name: 'istio-system' }] } }],
    ]);
  });
});
