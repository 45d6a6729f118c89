// The order of an in-place upgrade of primary-remote: the remote's configuration needs its
// primary's east-west gateway to be installed (the address, the route to istiod), not to be
// upgraded; an upgrade moves that gateway, a proxy, after the remote's configuration, as Istio
// upgrades control planes before the data plane. The install order holds wherever the gateway
// or the remote is not simply updated.
import { describe, expect, it } from 'vitest';
import type { Unit } from '../../../src/model/desired.js';
import type { KubeObject } from '../../../src/kube/object.js';
import { deployment, gateway, liveMap, mutatingWebhook, namespace, planOf, service, stateAfterApply, unit, unknown, withField } from '../support/mesh-fixtures.js';

const version = (v: string) => (o: KubeObject) => withField(o, 'metadata.labels', { 'operator.istio.io/version': v });

function guide(v: string, remoteAddress: unknown = '203.0.113.10'): Unit[] {
  const at = version(v);
  const url = typeof remoteAddress === 'string' ? `https://${remoteAddress}:15017/inject` : remoteAddress;
  const remoteHook = withField(at(mutatingWebhook('istio-sidecar-injector')), 'webhooks', [{ name: 'sidecar-injector.istio.io', clientConfig: { url } }]);
  return [
    unit({ kind: 'namespace', objects: [namespace()] }),
    unit({ kind: 'control-plane', dependsOn: ['cluster1/namespace'], objects: [at(deployment('istiod'))] }),
    {
      ...unit({ kind: 'eastwest-gateway', dependsOn: ['cluster1/control-plane'], objects: [at(deployment('istio-eastwestgateway')), service('istio-eastwestgateway')] }),
      updatesAfter: ['cluster2/control-plane'],
    },
    unit({ kind: 'expose-istiod', dependsOn: ['cluster1/eastwest-gateway'], objects: [gateway('istiod-gateway')] }),
    unit({ cluster: 'cluster2', kind: 'namespace', objects: [namespace('istio-system', { 'topology.istio.io/network': 'network2' })] }),
    {
      ...unit({ cluster: 'cluster2', kind: 'control-plane', dependsOn: ['cluster2/namespace', 'cluster1/control-plane'], objects: [remoteHook] }),
      installDependsOn: ['cluster1/eastwest-gateway', 'cluster1/expose-istiod'],
    },
  ];
}

function liveOf(units: readonly Unit[]): Map<string, KubeObject> {
  return new Map(
    ['cluster1', 'cluster2'].flatMap((c) => [
      ...liveMap(
        c,
        units.filter((u) => u.cluster === c).flatMap((u) => u.objects),
      ),
    ]),
  );
}

const installed = guide('1.30.0');
const depsOf = (p: ReturnType<typeof planOf>, id: string) => p.units.find((u) => u.id === id)!.dependsOn;

describe('the order of an in-place upgrade of primary-remote', () => {
  const p = planOf({ units: guide('1.31.0'), live: liveOf(installed), prior: stateAfterApply(installed) });

  it('updates each primary control plane, then the remote configuration, then the east-west gateway and what routes through it', () => {
    expect(p.waves).toEqual([['cluster1/namespace', 'cluster2/namespace'], ['cluster1/control-plane'], ['cluster2/control-plane'], ['cluster1/eastwest-gateway'], ['cluster1/expose-istiod']]);
    expect(depsOf(p, 'cluster2/control-plane')).toEqual(['cluster2/namespace', 'cluster1/control-plane']);
    expect(depsOf(p, 'cluster1/eastwest-gateway')).toEqual(['cluster1/control-plane', 'cluster2/control-plane']);
    expect(p.summary).toMatchObject({ add: 0, change: 3, destroy: 0 });
  });

  it('keeps that order in the plan after the upgrade, when nothing changes', () => {
    const upgraded = guide('1.31.0');
    const again = planOf({ units: upgraded, live: liveOf(upgraded), prior: stateAfterApply(upgraded) });
    expect(again.summary).toMatchObject({ add: 0, change: 0, destroy: 0 });
    expect(depsOf(again, 'cluster1/eastwest-gateway')).toEqual(['cluster1/control-plane', 'cluster2/control-plane']);
  });
});

describe('the install order holds', () => {
  const installOrder = [['cluster1/namespace', 'cluster2/namespace'], ['cluster1/control-plane'], ['cluster1/eastwest-gateway'], ['cluster1/expose-istiod'], ['cluster2/control-plane']];

  it('on a first install', () => {
    const p = planOf({ units: guide('1.31.0') });
    expect(p.waves).toEqual(installOrder);
    expect(depsOf(p, 'cluster2/control-plane')).toEqual(['cluster2/namespace', 'cluster1/control-plane', 'cluster1/eastwest-gateway', 'cluster1/expose-istiod']);
  });

  it('when the apply that installed the remote was interrupted (its unit still applying)', () => {
    const prior = stateAfterApply(installed);
    const interrupted = { ...prior, units: prior.units.map((u) => (u.id === 'cluster2/control-plane' ? { ...u, status: 'applying' as const } : u)) };
    expect(planOf({ units: guide('1.31.0'), live: liveOf(installed), prior: interrupted }).waves).toEqual(installOrder);
  });

  it('when the gateway gains an object (what the remote needs of it may be new)', () => {
    const units = guide('1.31.0').map((u) => (u.id === 'cluster1/eastwest-gateway' ? { ...u, objects: [...u.objects, service('istio-eastwestgateway-extra')] } : u));
    expect(planOf({ units, live: liveOf(installed), prior: stateAfterApply(installed) }).waves).toEqual(installOrder);
  });

  it('when the route to istiod is recreated', () => {
    const live = liveOf(installed);
    live.delete([...live.keys()].find((a) => a.includes('istiod-gateway'))!);
    expect(planOf({ units: guide('1.31.0'), live, prior: stateAfterApply(installed) }).waves).toEqual(installOrder);
  });

  it('when the gateway address is not known yet (the remote needs it from this apply)', () => {
    const units = guide('1.31.0', unknown('cluster1/eastwest-gateway', 'address'));
    const p = planOf({ units, live: liveOf(installed), prior: stateAfterApply(installed) });
    expect(p.waves).toEqual(installOrder);
    expect(depsOf(p, 'cluster1/eastwest-gateway')).toEqual(['cluster1/control-plane']);
  });
});
