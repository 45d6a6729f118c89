// Clusters in and out of a running mesh, as the planner sees them: a cluster taken out of
// mesh.yaml (reachable or not), a cluster added, a cluster new to the state that already runs
// istiod, and the workloads a change restarts.
import { describe, expect, it } from 'vitest';
import { unitChanges } from '../../../src/planner/plan.js';
import { addressIn, deployment, live, liveMap, namespace, planOf, secret, stateAfterApply, unit } from '../support/mesh-fixtures.js';
import type { KubeObject } from '../../../src/kube/object.js';
import type { Unit } from '../../../src/model/desired.js';

/** A primary (cluster1) controlling two remotes, reduced to one object per unit. */
function clusterUnits(cluster: string): Unit[] {
  const ns = unit({ cluster, kind: 'namespace', objects: [namespace()] });
  const cp = unit({ cluster, kind: 'control-plane', dependsOn: [`${cluster}/namespace`], objects: [cluster === 'cluster1' ? deployment() : secret('istio-remote-pilot', { a: 'b' })] });
  const reader = unit({ cluster, kind: 'remote-reader', dependsOn: [`${cluster}/control-plane`], objects: [secret('istio-reader-service-account-istio-remote-secret-token', { t: 'x' })] });
  return cluster === 'cluster1' ? [ns, cp] : [ns, cp, reader];
}
const remoteSecret = (source: string) =>
  unit({
    cluster: 'cluster1',
    kind: 'remote-secret',
    id: `cluster1/remote-secret/${source}`,
    dependsOn: [`${source}/remote-reader`, 'cluster1/control-plane'],
    objects: [secret(`istio-remote-secret-${source}`, { [source]: 'kubeconfig' })],
  });
const three = [...clusterUnits('cluster1'), ...clusterUnits('cluster2'), ...clusterUnits('cluster3'), remoteSecret('cluster2'), remoteSecret('cluster3')];
const twoOnly = three.filter((u) => u.cluster !== 'cluster3' && u.id !== 'cluster1/remote-secret/cluster3');

function liveOf(units: readonly Unit[]): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const u of units)
    for (const [a, o] of liveMap(
      u.cluster,
      u.objects.map((x) => live(x)),
    ))
      out.set(a, o);
  return out;
}

describe('removing a remote from mesh.yaml', () => {
  const prior = stateAfterApply(three);
  const plan = planOf({ units: twoOnly, prior, live: liveOf(three) });

  it('deletes every object of the cluster and its remote secret in the primary, and touches nothing else', () => {
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 4, forget: 0 });
    const acting = plan.changes.filter((c) => c.action !== 'noop');
    expect(acting.every((c) => c.action === 'delete' && c.reason === 'removed')).toBe(true);
    expect(acting.map((c) => c.address).sort()).toEqual(
      [
        'cluster1/Secret/istio-system/istio-remote-secret-cluster3',
        'cluster3/Namespace/_/istio-system',
        'cluster3/Secret/istio-system/istio-remote-pilot',
        'cluster3/Secret/istio-system/istio-reader-service-account-istio-remote-secret-token',
      ].sort(),
    );
  });

  it('removes the remote secret from the primary first, then the cluster newest first, its namespace last, after every kept unit', () => {
    const removals = plan.units.filter((u) => u.removal);
    expect(removals.map((u) => u.id)).toEqual(['cluster1/remote-secret/cluster3', 'cluster3/remote-reader', 'cluster3/control-plane', 'cluster3/namespace']);
    const kept = plan.units.filter((u) => !u.removal).map((u) => u.id);
    expect(removals[0]!.dependsOn).toEqual(kept);
    for (let i = 1; i < removals.length; i++) expect(removals[i]!.dependsOn).toEqual([removals[i - 1]!.id]);
  });

  it('reports nothing unreachable and no restart', () => {
    expect(plan.notices).toEqual([]);
  });
});

describe('removing a remote whose API server cannot be reached', () => {
  const prior = stateAfterApply(three);
  // The session reads nothing of an unreachable cluster: only the others are observed.
  const observed = new Map([...liveOf(three)].filter(([a]) => !a.startsWith('cluster3/')));
  const unreachable = new Map([['cluster3', 'GET /api/v1/namespaces failed: connect ECONNREFUSED 127.0.0.1:1.']]);

  it('still removes the remote secret that names it, plans nothing in it, and says its objects stay in the state', () => {
    const plan = planOf({ units: twoOnly, prior, live: observed, unreachable });
    expect(plan.units.filter((u) => u.removal).map((u) => u.id)).toEqual(['cluster1/remote-secret/cluster3']);
    expect(plan.changes.filter((c) => c.cluster === 'cluster3')).toEqual([]);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 1, forget: 0 });
    expect(plan.notices).toEqual([{ kind: 'cluster-unreachable', cluster: 'cluster3', error: unreachable.get('cluster3'), objects: 3, forgotten: false }]);
  });

  it('with --forget-unreachable, drops the records of its objects and sends nothing to it', () => {
    const plan = planOf({ units: twoOnly, prior, live: observed, unreachable, forgetUnreachable: true });
    const mine = plan.changes.filter((c) => c.cluster === 'cluster3');
    expect(mine).toHaveLength(3);
    expect(mine.every((c) => c.action === 'noop' && c.reason === 'unreachable' && c.record === 'drop')).toBe(true);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 1, forget: 0 });
    expect(plan.units.filter((u) => u.removal).map((u) => u.id)).toEqual(['cluster1/remote-secret/cluster3', 'cluster3/remote-reader', 'cluster3/control-plane', 'cluster3/namespace']);
    expect(plan.units.filter((u) => u.cluster === 'cluster3').every((u) => u.steps.every((s) => s.step === 'send'))).toBe(true);
    expect(plan.notices).toEqual([expect.objectContaining({ kind: 'cluster-unreachable', cluster: 'cluster3', objects: 3, forgotten: true })]);
  });

  it('destroy plans the same way for a departed cluster that cannot be read', () => {
    const plan = planOf({ mode: 'destroy', units: twoOnly, prior, live: observed, unreachable });
    expect(plan.changes.some((c) => c.cluster === 'cluster3')).toBe(false);
    // cluster1: namespace, istiod, both remote secrets; cluster2: its three objects.
    expect(plan.summary.destroy).toBe(7);
    expect(plan.notices).toEqual([expect.objectContaining({ kind: 'cluster-unreachable', cluster: 'cluster3', forgotten: false })]);
  });
});

describe('adding a remote to a running mesh', () => {
  const prior = stateAfterApply(twoOnly);
  const plan = planOf({ units: three, prior, live: liveOf(twoOnly) });

  it('only adds: the new cluster and its remote secret in the primary; the other clusters are unchanged', () => {
    expect(plan.summary).toEqual({ add: 4, change: 0, destroy: 0, forget: 0 });
    for (const c of plan.changes) {
      if (c.cluster === 'cluster3' || c.unit === 'cluster1/remote-secret/cluster3') expect(c.action).toBe('create');
      else expect(c.action).toBe('noop');
    }
    expect(plan.notices).toEqual([]);
  });
});

describe('a cluster new to the state that already runs istiod', () => {
  it('is reported with the istiod it runs, whichever revision', () => {
    const canary = deployment('istiod-canary', { labels: { app: 'istiod', 'istio.io/rev': 'canary' } });
    const observed = new Map([...liveOf(twoOnly), [addressIn('cluster3', canary), live(canary)]]);
    const plan = planOf({ units: three, prior: stateAfterApply(twoOnly), live: observed });
    expect(plan.notices).toEqual([{ kind: 'unmanaged-istio', cluster: 'cluster3', addresses: ['cluster3/Deployment.apps/istio-system/istiod-canary'] }]);
  });

  it('is not reported for clusters the state knows, nor on a first apply to empty clusters', () => {
    expect(planOf({ units: three, prior: stateAfterApply(three), live: liveOf(three) }).notices).toEqual([]);
    expect(planOf({ units: three, prior: null }).notices).toEqual([]);
  });
});

describe('restarts', () => {
  it('names a workload whose pod template changes, and not one whose other fields change', () => {
    const before = clusterUnits('cluster1');
    const prior = stateAfterApply(before);
    const bigger = before.map((u) => (u.kind === 'control-plane' ? unit({ cluster: 'cluster1', kind: 'control-plane', dependsOn: u.dependsOn, objects: [deployment('istiod', { cpu: '900m' })] }) : u));
    const plan = planOf({ units: bigger, prior, live: liveOf(before) });
    expect(plan.notices).toEqual([{ kind: 'restart', cluster: 'cluster1', unit: 'cluster1/control-plane', address: 'cluster1/Deployment.apps/istio-system/istiod' }]);
    const relabelled = before.map((u) =>
      u.kind === 'namespace' ? unit({ cluster: 'cluster1', kind: 'namespace', objects: [namespace('istio-system', { 'topology.istio.io/network': 'network2' })] }) : u,
    );
    const p2 = planOf({ units: relabelled, prior, live: liveOf(before) });
    expect(p2.summary.change).toBe(1);
    expect(p2.notices).toEqual([]);
    expect(unitChanges(p2.units[0]!)).toEqual(['cluster1/Namespace/_/istio-system']);
  });
});

describe('a field the API server cannot change in place', () => {
  const gateway = (network: string) => {
    const d = deployment('istio-eastwestgateway');
    const labels = { app: 'istio-eastwestgateway', 'topology.istio.io/network': network };
    return { ...d, spec: { ...(d.spec as object), selector: { matchLabels: labels }, template: { ...(d.spec as { template: object }).template, metadata: { labels } } } } as KubeObject;
  };
  const gw = (network: string) => unit({ cluster: 'cluster3', kind: 'eastwest-gateway', objects: [gateway(network)] });

  it('replaces a gateway whose selector names another network (delete, then create), counted as Terraform counts it, and says its pods restart', () => {
    const prior = stateAfterApply([gw('network2')]);
    const plan = planOf({ units: [gw('network1')], prior, live: liveOf([gw('network2')]) });
    const c = plan.changes[0]!;
    expect(c.action).toBe('replace');
    expect(c.reason).toBe('config-changed');
    expect(c.diff).toContain('network1');
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 1, forget: 0 });
    expect(plan.notices).toEqual([{ kind: 'restart', cluster: 'cluster3', unit: 'cluster3/eastwest-gateway', address: c.address }]);
  });

  it('updates in place when the selector is the same', () => {
    const prior = stateAfterApply([gw('network2')]);
    const scaled = { ...gateway('network2'), spec: { ...(gateway('network2').spec as object), replicas: 3 } } as KubeObject;
    const plan = planOf({ units: [unit({ cluster: 'cluster3', kind: 'eastwest-gateway', objects: [scaled] })], prior, live: liveOf([gw('network2')]) });
    expect(plan.changes[0]!.action).toBe('update');
  });
});
