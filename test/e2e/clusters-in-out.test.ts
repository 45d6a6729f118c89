// Day 2 on real API servers and real istiods: clusters join, leave and move in a running mesh.
// From a primary with two remotes: remove a remote, add it back, add a second primary, move the
// remote to it, change its network, remove a cluster whose API server is stopped, and rename a
// remote (refused without `state mv`, then updates only), remove the first primary and change an
// east-west gateway's settings. After each transition: the plan's counts are what the transition
// needs and nothing else, the next plan is empty, verify passes, a removed cluster is left as
// found, and the objects meshctl manages in clusters the transition does not concern keep their
// resourceVersion.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnvironment, e2eKubectl, eventually, kubeConfig } from '../harness/e2e.js';
import { resetClusters } from '../harness/reset.js';
import { meshctl, type RunResult } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';
import { snapshot } from './support/snapshot.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const all = ['cluster1', 'cluster2', 'cluster3', 'cluster4'] as const;
type Name = (typeof all)[number];

interface ClusterDecl {
  role: 'primary' | 'remote';
  network: string;
  controlPlane?: Name;
  /** The kubeconfig context; default: the cluster's name. */
  context?: Name;
  /** eastWestGateway.annotations */
  gatewayAnnotations?: Record<string, string>;
}

function meshYaml(clusters: Partial<Record<string, ClusterDecl>>): string {
  const lines = [
    'apiVersion: meshctl.io/v1alpha1',
    'kind: Mesh',
    'meshID: mesh1',
    'istio:',
    '  version: "1.31.0"',
    'networks: [network1, network2]',
    'trust:',
    '  generated: { directory: ./trust }',
    'clusters:',
  ];
  for (const [name, c] of Object.entries(clusters)) {
    lines.push(`  ${name}:`, `    context: ${c!.context ?? name}`, `    role: ${c!.role}`, `    network: ${c!.network}`);
    if (c!.controlPlane) lines.push(`    controlPlane: ${c!.controlPlane}`);
    if (c!.gatewayAnnotations) lines.push(`    eastWestGateway: { annotations: ${JSON.stringify(c!.gatewayAnnotations)} }`);
  }
  return `${lines.join('\n')}\n`;
}

interface PlanJson {
  summary: { add: number; change: number; destroy: number; forget: number };
  resource_changes: { address: string; cluster: string; unit: string; change: { actions: string[] }; action_reason: string }[];
  units: { id: string; removal: boolean; changes: string[] }[];
  notices: { kind: string; cluster: string; [k: string]: unknown }[];
}

interface StateFile {
  units: { id: string; cluster: string }[];
  objects: Record<string, { cluster: string; ref: { apiVersion: string; kind: string; name: string; namespace?: string } }>;
  clusters?: Record<string, { context: string }>;
}

const acting = (p: PlanJson) => p.resource_changes.filter((c) => c.change.actions[0] !== 'no-op');
const timings: string[] = [];

describe('clusters in and out of a running mesh (4 clusters)', () => {
  let dir: string;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });
  const found: Partial<Record<Name, string[]>> = {};
  const write = (clusters: Partial<Record<string, ClusterDecl>>) => writeFileSync(join(dir, 'mesh.yaml'), meshYaml(clusters));
  const state = () => JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8')) as StateFile;

  const plan = async (...extra: string[]): Promise<PlanJson> => {
    const r = await run('plan', '--json', ...extra);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return JSON.parse(r.stdout) as PlanJson;
  };
  /** apply (verify on), then: the next plan is empty and verify passes on its own. */
  const applyAndCheck = async (what: string, ...extra: string[]): Promise<RunResult> => {
    const t0 = Date.now();
    const r = await run('apply', '--auto-approve', '--no-color', ...extra);
    timings.push(`${what}: apply ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const again = await run('plan', '--detailed-exitcode', '--no-color');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
    const v = await run('verify', '--no-color');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    return r;
  };
  /** resourceVersion of every object the state says meshctl manages in these clusters. */
  const versions = async (clusters: readonly string[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    const s = state();
    await Promise.all(
      Object.entries(s.objects)
        .filter(([, o]) => (clusters as readonly string[]).includes(o.cluster))
        .map(async ([address, o]) => {
          const api = k8s.KubernetesObjectApi.makeApiClient(kubeConfig(s.clusters?.[o.cluster]?.context ?? o.cluster));
          const live = await api.read({ apiVersion: o.ref.apiVersion, kind: o.ref.kind, metadata: { name: o.ref.name, ...(o.ref.namespace ? { namespace: o.ref.namespace } : {}) } });
          out.set(address, live.metadata!.resourceVersion!);
        }),
    );
    return out;
  };
  const expectKept = (before: Map<string, string>, after: Map<string, string>, except: (address: string) => boolean = () => false) => {
    const changed = [...before].filter(([a, rv]) => !except(a) && after.has(a) && after.get(a) !== rv).map(([a]) => a);
    expect(changed, 'objects of untouched clusters changed').toEqual([]);
  };
  const expectAsFound = async (name: Name) =>
    eventually(`${name} to be as it was before meshctl`, async () => {
      const now = await snapshot(name);
      return JSON.stringify(now) === JSON.stringify(found[name]) ? true : undefined;
    });

  const start: Partial<Record<Name, ClusterDecl>> = {
    cluster1: { role: 'primary', network: 'network1' },
    cluster2: { role: 'remote', network: 'network2', controlPlane: 'cluster1' },
    cluster3: { role: 'remote', network: 'network2', controlPlane: 'cluster1' },
  };
  const withCluster4 = { ...start, cluster4: { role: 'primary', network: 'network1' } } as const;
  const moved = { ...withCluster4, cluster3: { role: 'remote', network: 'network2', controlPlane: 'cluster4' } } as const;
  const renetworked = { ...moved, cluster3: { role: 'remote', network: 'network1', controlPlane: 'cluster4' } } as const;

  beforeAll(async () => {
    expect(e2eEnvironment().contexts.length, 'this test needs 4 local clusters (MESHCTL_E2E_CLUSTERS >= 4)').toBeGreaterThanOrEqual(4);
    dir = await freshMeshDir({ prefix: 'inout', mesh: example, clusters: all });
    for (const c of all) found[c] = await snapshot(c);
    write(start);
    await applyAndCheck('first apply (a primary, two remotes)');
    expect(Object.keys(state().clusters ?? {}).sort()).toEqual(['cluster1', 'cluster2', 'cluster3']);
  });
  afterAll(async () => {
    process.stderr.write(`[clusters-in-out] ${timings.join('; ')}\n`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await resetClusters(e2eKubectl(), all);
  });

  it('removes a remote: its remote secret in the primary first, then its own objects; nothing else changes; it is left as found', async () => {
    const { cluster3: _gone, ...without } = start;
    write(without);
    const before = await versions(['cluster1', 'cluster2']);
    const p = await plan();
    const changes = acting(p);
    expect(changes.every((c) => c.change.actions[0] === 'delete')).toBe(true);
    expect(changes.every((c) => c.cluster === 'cluster3' || c.unit === 'cluster1/remote-secret/cluster3')).toBe(true);
    expect(p.summary.add + p.summary.change).toBe(0);
    const removals = p.units.filter((u) => u.removal).map((u) => u.id);
    expect(removals[0]).toBe('cluster1/remote-secret/cluster3');
    expect(removals.at(-1)).toBe('cluster3/namespace');
    expect(p.notices).toEqual([]);
    timings.push(`remove a remote: plan ${p.summary.destroy} to destroy`);
    await applyAndCheck('remove a remote');
    await expectAsFound('cluster3');
    expectKept(before, await versions(['cluster1', 'cluster2']));
    const s = state();
    expect(Object.values(s.objects).some((o) => o.cluster === 'cluster3')).toBe(false);
    expect(Object.keys(s.clusters ?? {}).sort()).toEqual(['cluster1', 'cluster2']);
  });

  it('adds it back: only additions, in it and its remote secret in the primary', async () => {
    write(start);
    const before = await versions(['cluster1', 'cluster2']);
    const p = await plan();
    const changes = acting(p);
    expect(changes.every((c) => c.change.actions[0] === 'create')).toBe(true);
    expect(changes.every((c) => c.cluster === 'cluster3' || c.unit === 'cluster1/remote-secret/cluster3')).toBe(true);
    expect(p.summary).toEqual({ add: changes.length, change: 0, destroy: 0, forget: 0 });
    expect(p.notices).toEqual([]);
    timings.push(`add a remote: plan ${p.summary.add} to add`);
    await applyAndCheck('add a remote');
    expectKept(before, await versions(['cluster1', 'cluster2']));
  });

  it('adds a second primary: only additions; the remotes and the first primary keep every object as it was', async () => {
    write(withCluster4);
    const before = await versions(['cluster1', 'cluster2', 'cluster3']);
    const p = await plan();
    const changes = acting(p);
    expect(
      changes.filter((c) => c.change.actions[0] !== 'create').map((c) => c.address),
      'a new primary only adds',
    ).toEqual([]);
    // In the others: what the new primary needs to read them, and its own remote secret in cluster1.
    const elsewhere = changes.filter((c) => c.cluster !== 'cluster4').map((c) => c.unit);
    expect([...new Set(elsewhere)].sort()).toEqual(['cluster1/remote-reader', 'cluster1/remote-secret/cluster4']);
    expect(p.notices.filter((n) => n.kind === 'restart')).toEqual([]);
    timings.push(`add a primary: plan ${p.summary.add} to add`);
    await applyAndCheck('add a second primary');
    expectKept(before, await versions(['cluster1', 'cluster2', 'cluster3']));
  });

  it("moves the remote to the second primary: the new primary's changes first, the remote's after; only they change", async () => {
    write(moved);
    const before = await versions(['cluster1', 'cluster2']);
    const p = await plan();
    const changes = acting(p);
    expect(changes.filter((c) => c.change.actions[0] === 'delete').map((c) => c.address)).toEqual([]);
    expect([...new Set(changes.map((c) => c.cluster))].sort()).toEqual(['cluster3', 'cluster4']);
    // cluster4's istiod now serves a remote: it restarts, and the plan says so.
    expect(p.notices).toContainEqual(expect.objectContaining({ kind: 'restart', cluster: 'cluster4', address: 'cluster4/Deployment.apps/istio-system/istiod' }));
    const order = p.units.map((u) => u.id);
    expect(order.indexOf('cluster4/expose-istiod')).toBeLessThan(order.indexOf('cluster3/control-plane'));
    expect(order.indexOf('cluster4/control-plane')).toBeLessThan(order.indexOf('cluster3/control-plane'));
    const ns = changes.find((c) => c.address === 'cluster3/Namespace/_/istio-system');
    expect(ns?.change.actions).toEqual(['update']);
    timings.push(`move to another primary: plan ${p.summary.add} to add, ${p.summary.change} to change`);
    await applyAndCheck('move the remote to the second primary');
    expectKept(before, await versions(['cluster1', 'cluster2']));
    const annotations = (await kubeConfig('cluster3').makeApiClient(k8s.CoreV1Api).readNamespace({ name: 'istio-system' })).metadata!.annotations!;
    expect(annotations['topology.istio.io/controlPlaneClusters']).toBe('cluster4');
  });

  it("changes the remote's network: its namespace label, injection path and gateway; no other cluster changes", async () => {
    write(renetworked);
    const before = await versions(['cluster1', 'cluster2', 'cluster4']);
    const p = await plan();
    const changes = acting(p);
    expect([...new Set(changes.map((c) => c.cluster))]).toEqual(['cluster3']);
    expect(changes.map((c) => c.address)).toContain('cluster3/Namespace/_/istio-system');
    // The gateway's selector carries the network and cannot change in place: it is replaced.
    expect(changes.find((c) => c.address === 'cluster3/Deployment.apps/istio-system/istio-eastwestgateway')?.change.actions).toEqual(['delete', 'create']);
    expect(p.notices).toContainEqual(expect.objectContaining({ kind: 'restart', address: 'cluster3/Deployment.apps/istio-system/istio-eastwestgateway' }));
    timings.push(`change network: plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
    await applyAndCheck("change the remote's network");
    expectKept(before, await versions(['cluster1', 'cluster2', 'cluster4']));
    const labels = (await kubeConfig('cluster3').makeApiClient(k8s.CoreV1Api).readNamespace({ name: 'istio-system' })).metadata!.labels!;
    expect(labels['topology.istio.io/network']).toBe('network1');
  });

  it('removes a cluster whose API server is stopped: the plan says so, removes its remote secrets, and --forget-unreachable forgets it', async () => {
    const { cluster2: _gone, ...without } = renetworked;
    write(without);
    const apiserver = e2eEnvironment().clusters.find((c) => c.context === 'cluster2')!.pids[1]!;
    process.kill(apiserver, 'SIGSTOP');
    try {
      const p = await plan();
      expect(p.notices).toContainEqual(expect.objectContaining({ kind: 'cluster_unreachable', cluster: 'cluster2', forgotten: false }));
      expect(p.resource_changes.some((c) => c.cluster === 'cluster2')).toBe(false);
      const removed = acting(p)
        .filter((c) => c.change.actions[0] === 'delete')
        .map((c) => c.address);
      expect(removed).toEqual(expect.arrayContaining(['cluster1/Secret/istio-system/istio-remote-secret-cluster2', 'cluster4/Secret/istio-system/istio-remote-secret-cluster2']));
      const human = await run('plan', '--no-color');
      expect(human.stdout).toContain('Cluster cluster2 left mesh.yaml and cannot be reached');
      expect(human.stdout).toContain('--forget-unreachable');

      const forget = await plan('--forget-unreachable');
      const dropped = forget.resource_changes.filter((c) => c.cluster === 'cluster2');
      expect(dropped.length).toBeGreaterThan(0);
      expect(dropped.every((c) => c.change.actions[0] === 'no-op' && c.action_reason === 'unreachable')).toBe(true);
      timings.push(`remove an unreachable cluster: plan ${forget.summary.add} to add, ${forget.summary.change} to change, ${forget.summary.destroy} to destroy, ${dropped.length} forgotten`);
      const r = await applyAndCheck('remove a cluster whose API server is stopped', '--forget-unreachable');
      expect(r.stdout).toContain('cannot be reached');
      const s = state();
      expect(Object.values(s.objects).some((o) => o.cluster === 'cluster2')).toBe(false);
      expect(s.units.some((u) => u.cluster === 'cluster2')).toBe(false);
      expect(Object.keys(s.clusters ?? {}).sort()).toEqual(['cluster1', 'cluster3', 'cluster4']);
    } finally {
      process.kill(apiserver, 'SIGCONT');
    }
    // Forgotten, not deleted: what meshctl made in cluster2 is still there.
    const ns = await eventually(
      'cluster2 to answer again',
      async () =>
        (await kubeConfig('cluster2')
          .makeApiClient(k8s.CoreV1Api)
          .readNamespace({ name: 'istio-system' })
          .catch(() => undefined)) ?? undefined,
    );
    expect(ns.metadata!.labels!['topology.istio.io/network']).toBe('network2');
  });
  it('renames a remote: refused as one cluster under two names, then after state mv only what carries the cluster ID changes', async () => {
    const { cluster2: _gone, cluster3: remote, ...others } = renetworked;
    const renamed = { ...others, west: { ...remote, context: 'cluster3' as const } };
    write(renamed);
    const refused = await run('plan', '--no-color');
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stderr).toContain('Error: Cluster renamed');
    expect(refused.stderr).toContain('meshctl state mv cluster3 west');

    const before = await versions(['cluster1', 'cluster4']);
    const mv = await run('state', 'mv', 'cluster3', 'west');
    expect(mv.code, mv.stdout + mv.stderr).toBe(0);
    expect(mv.stdout).toContain('Moved cluster cluster3 to west');
    const p = await plan();
    const changes = acting(p);
    // The remote's own objects are updated, none deleted; in each primary (both discover every
    // cluster of the mesh) only the remote secret changes, replaced since its name carries the
    // cluster ID.
    const secret = (c: string, of: string) => `${c}/Secret/istio-system/istio-remote-secret-${of}`;
    expect(
      changes
        .filter((c) => c.cluster !== 'west')
        .map((c) => c.address)
        .sort(),
    ).toEqual([secret('cluster1', 'cluster3'), secret('cluster1', 'west'), secret('cluster4', 'cluster3'), secret('cluster4', 'west')]);
    expect(
      changes
        .filter((c) => c.change.actions.includes('delete'))
        .map((c) => c.address)
        .sort(),
    ).toEqual([secret('cluster1', 'cluster3'), secret('cluster4', 'cluster3')]);
    expect(p.units.filter((u) => u.removal).map((u) => u.id)).toEqual([]);
    timings.push(`rename a remote after state mv: plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
    await applyAndCheck('rename a remote');
    // In the primaries, only the remote secrets changed.
    expectKept(before, await versions(['cluster1', 'cluster4']), (a) => a.endsWith('/Secret/istio-system/istio-remote-secret-cluster3'));
    const s = state();
    expect(Object.values(s.objects).some((o) => o.cluster === 'cluster3')).toBe(false);
    expect(s.clusters?.['west']).toEqual({ context: 'cluster3' });
  });
  it("removes a primary that controls no remote: the other primary's remote secret for it first, then its objects and the reader only it used; it is left as found", async () => {
    const { cluster2: _gone, cluster3: remote, cluster1: _primary, ...others } = renetworked;
    write({ ...others, west: { ...remote, context: 'cluster3' as const } });
    const before = await versions(['cluster4', 'west']);
    const p = await plan();
    const changes = acting(p);
    expect(changes.every((c) => c.change.actions[0] === 'delete')).toBe(true);
    // Outside cluster1: the remote secret cluster4 held for it, and cluster4's remote-reader,
    // which only cluster1 used (no primary reads cluster4 any more: its token goes).
    expect([...new Set(changes.filter((c) => c.cluster !== 'cluster1').map((c) => c.unit))].sort()).toEqual(['cluster4/remote-reader', 'cluster4/remote-secret/cluster1']);
    const removals = p.units.filter((u) => u.removal).map((u) => u.id);
    // Every remote secret first (cluster4's for cluster1, and cluster1's own for the others).
    const firstOther = removals.findIndex((id) => !id.includes('/remote-secret/'));
    expect(removals.slice(0, firstOther)).toContain('cluster4/remote-secret/cluster1');
    expect(removals.slice(firstOther).filter((id) => id.includes('/remote-secret/'))).toEqual([]);
    expect(removals.at(-1)).toBe('cluster1/namespace');
    timings.push(`remove a primary: plan ${p.summary.destroy} to destroy`);
    await applyAndCheck('remove a primary');
    await expectAsFound('cluster1');
    expectKept(before, await versions(['cluster4', 'west']));
    expect(Object.keys(state().clusters ?? {}).sort()).toEqual(['cluster4', 'west']);
  });
  it("changes an east-west gateway's settings: only its Service is updated, nothing restarts, no other cluster changes", async () => {
    const { cluster2: _gone, cluster3: remote, cluster1: _primary, cluster4: primary, ...others } = renetworked;
    const annotations = { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' };
    write({ ...others, cluster4: { ...primary, gatewayAnnotations: annotations }, west: { ...remote, context: 'cluster3' as const } });
    const before = await versions(['west']);
    const p = await plan();
    const changes = acting(p);
    expect(changes.map((c) => [c.address, c.change.actions])).toEqual([['cluster4/Service/istio-system/istio-eastwestgateway', ['update']]]);
    expect(p.notices).toEqual([]);
    timings.push(`east-west gateway annotation: plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
    await applyAndCheck("change an east-west gateway's settings");
    expectKept(before, await versions(['west']));
    const svc = await kubeConfig('cluster4').makeApiClient(k8s.CoreV1Api).readNamespacedService({ name: 'istio-eastwestgateway', namespace: 'istio-system' });
    expect(svc.metadata!.annotations).toMatchObject(annotations);
  });
});
