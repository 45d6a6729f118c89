// state mv's re-addressing, and the check that stops a rename made without it: pure functions
// of the state (and mesh.yaml's clusters).
import { describe, expect, it } from 'vitest';
import { clustersInState, isRefusal, planClusterMove, sameClusterUnderTwoNames, withClusterMoved, type ClusterMove } from '../../../src/state/rename-cluster.js';
import { emptyState, type MeshState, type ObjectRecord, type UnitRecord } from '../../../src/state/state.js';

const unit = (id: string, dependsOn: string[] = []): UnitRecord => ({ id, cluster: id.split('/')[0]!, kind: id.split('/')[1] as UnitRecord['kind'], dependsOn, status: 'applied', outputs: {} });
const object = (cluster: string, unitId: string, kind: string, name: string): [string, ObjectRecord] => [
  `${cluster}/${kind}/istio-system/${name}`,
  { unit: unitId, cluster, ref: { apiVersion: 'v1', kind, namespace: 'istio-system', name }, status: 'applied', existedBefore: false, applied: { kind, metadata: { name } } },
];

/** cluster1 primary, cluster2 its remote (and cluster20, whose name begins with cluster2). */
function primaryRemote(): MeshState {
  return {
    ...emptyState({ lineage: 'l1', meshID: 'mesh1', meshctlVersion: '0.1.0' }),
    serial: 4,
    units: [
      unit('cluster1/namespace'),
      unit('cluster1/control-plane', ['cluster1/namespace']),
      unit('cluster2/namespace'),
      unit('cluster2/remote-reader', ['cluster2/namespace']),
      unit('cluster1/remote-secret/cluster2', ['cluster1/control-plane', 'cluster2/remote-reader']),
      unit('cluster20/namespace'),
      unit('cluster1/remote-secret/cluster20', ['cluster1/control-plane']),
    ],
    objects: Object.fromEntries([
      object('cluster1', 'cluster1/control-plane', 'ConfigMap', 'istio'),
      object('cluster2', 'cluster2/namespace', 'Namespace', 'istio-system'),
      object('cluster2', 'cluster2/remote-reader', 'ServiceAccount', 'istio-reader-service-account'),
      object('cluster1', 'cluster1/remote-secret/cluster2', 'Secret', 'istio-remote-secret-cluster2'),
      object('cluster20', 'cluster20/namespace', 'Namespace', 'istio-system'),
      object('cluster1', 'cluster1/remote-secret/cluster20', 'Secret', 'istio-remote-secret-cluster20'),
    ]),
    clusters: { cluster1: { context: 'ctx1' }, cluster2: { context: 'ctx2', kubeconfig: '/k/config' }, cluster20: { context: 'ctx20' } },
  };
}

function moved(state: MeshState, from: string, to: string): ClusterMove {
  const m = planClusterMove(state, from, to);
  if (isRefusal(m)) throw new Error(`refused: ${m.kind}`);
  return m;
}

describe('planClusterMove / withClusterMoved', () => {
  it("moves the cluster's units, objects and connection, and the remote secret unit named after it in the primary", () => {
    const state = primaryRemote();
    const m = moved(state, 'cluster2', 'west');
    expect(m.units).toEqual([
      { from: 'cluster2/namespace', to: 'west/namespace', objects: 1 },
      { from: 'cluster2/remote-reader', to: 'west/remote-reader', objects: 1 },
      { from: 'cluster1/remote-secret/cluster2', to: 'cluster1/remote-secret/west', objects: 1 },
    ]);
    expect(m.objects).toEqual([
      ['cluster2/Namespace/istio-system/istio-system', 'west/Namespace/istio-system/istio-system'],
      ['cluster2/ServiceAccount/istio-system/istio-reader-service-account', 'west/ServiceAccount/istio-system/istio-reader-service-account'],
    ]);
    expect(m.connection).toEqual({ context: 'ctx2', kubeconfig: '/k/config' });

    const after = withClusterMoved(state, m);
    expect(after.units.map((u) => [u.id, u.cluster, u.dependsOn])).toEqual([
      ['cluster1/namespace', 'cluster1', []],
      ['cluster1/control-plane', 'cluster1', ['cluster1/namespace']],
      ['west/namespace', 'west', []],
      ['west/remote-reader', 'west', ['west/namespace']],
      ['cluster1/remote-secret/west', 'cluster1', ['cluster1/control-plane', 'west/remote-reader']],
      ['cluster20/namespace', 'cluster20', []],
      ['cluster1/remote-secret/cluster20', 'cluster1', ['cluster1/control-plane']],
    ]);
    // The remote secret stays in cluster1 under its address; the next plan renames the object.
    expect(after.objects['cluster1/Secret/istio-system/istio-remote-secret-cluster2']).toMatchObject({ cluster: 'cluster1', unit: 'cluster1/remote-secret/west' });
    expect(after.objects['west/Namespace/istio-system/istio-system']).toEqual({ ...state.objects['cluster2/Namespace/istio-system/istio-system'], cluster: 'west', unit: 'west/namespace' });
    expect(Object.keys(after.objects).filter((a) => a.startsWith('cluster2/'))).toEqual([]);
    // cluster20 begins with "cluster2" and is untouched.
    expect(after.objects['cluster20/Namespace/istio-system/istio-system']).toEqual(state.objects['cluster20/Namespace/istio-system/istio-system']);
    expect(after.clusters).toEqual({ cluster1: { context: 'ctx1' }, west: { context: 'ctx2', kubeconfig: '/k/config' }, cluster20: { context: 'ctx20' } });
    expect(clustersInState(after)).toEqual(['cluster1', 'cluster20', 'west']);
    expect([after.lineage, after.serial]).toEqual([state.lineage, state.serial]);
  });

  it('moves a state written before connections were recorded (no clusters field)', () => {
    const { clusters: _, ...old } = primaryRemote();
    const after = withClusterMoved(old, moved(old, 'cluster2', 'west'));
    expect(after.clusters).toBeUndefined();
    expect(after.units.filter((u) => u.cluster === 'west')).toHaveLength(2);
  });

  it('a move and its reverse give back the state', () => {
    const state = primaryRemote();
    const there = withClusterMoved(state, moved(state, 'cluster1', 'east'));
    expect(there.units.map((u) => u.id)).toContain('east/remote-secret/cluster2');
    const back = withClusterMoved(there, moved(there, 'east', 'cluster1'));
    expect(back).toEqual(state);
  });

  it('refuses the same name, an unknown cluster and a name the state already uses', () => {
    const state = primaryRemote();
    expect(planClusterMove(state, 'cluster2', 'cluster2')).toEqual({ kind: 'same-name' });
    expect(planClusterMove(state, 'cluster3', 'west')).toEqual({ kind: 'unknown-source', known: ['cluster1', 'cluster2', 'cluster20'] });
    expect(planClusterMove(state, 'cluster2', 'cluster20')).toEqual({ kind: 'target-in-use', units: 1, objects: 1 });
    // A connection record alone (mesh.yaml already names the cluster) is not a use.
    const named = { ...state, clusters: { ...state.clusters, west: { context: 'ctx2', kubeconfig: '/k/config' } } };
    expect(isRefusal(planClusterMove(named, 'cluster2', 'west'))).toBe(false);
  });
});

describe('sameClusterUnderTwoNames', () => {
  const recorded = primaryRemote().clusters;
  it('finds a departed cluster whose context and kubeconfig a cluster of mesh.yaml has', () => {
    expect(sameClusterUnderTwoNames(['cluster2'], recorded, [{ name: 'west', context: 'ctx2', kubeconfig: '/k/config' }])).toEqual([{ recorded: 'cluster2', named: 'west', context: 'ctx2' }]);
  });
  it('another kubeconfig, another context, or no record is another cluster', () => {
    expect(sameClusterUnderTwoNames(['cluster2'], recorded, [{ name: 'west', context: 'ctx2' }])).toEqual([]);
    expect(sameClusterUnderTwoNames(['cluster2'], recorded, [{ name: 'west', context: 'ctx9', kubeconfig: '/k/config' }])).toEqual([]);
    expect(sameClusterUnderTwoNames(['cluster2'], undefined, [{ name: 'west', context: 'ctx2', kubeconfig: '/k/config' }])).toEqual([]);
  });
});
