// The istio-ca-root-cert ConfigMaps istiod writes into every namespace: planned deletions when
// the mesh leaves a cluster, only for those meshctl can show its own mesh caused, and ordered
// after every istiod that could write them again and before the cacerts that prove it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/object.js';
import { issueRootCa } from '../../../src/trust/issue.js';
import { configMap, deployment, live, liveMap, namespace, planOf, secret, stateAfterApply, unit } from '../support/mesh-fixtures.js';
import { FAST_PROFILE, T0 } from '../trust/fixtures.js';

let meshRoot: string;
let otherRoot: string;
beforeAll(async () => {
  meshRoot = (await issueRootCa({ now: T0, profile: FAST_PROFILE })).certPem;
  otherRoot = (await issueRootCa({ now: T0, profile: FAST_PROFILE })).certPem;
});

const at = (o: KubeObject, creationTimestamp: string): KubeObject => ({ ...o, metadata: { ...o.metadata, creationTimestamp } });
function rootCertConfigMap(ns: string, root: string, created: string): KubeObject {
  const cm = configMap('istio-ca-root-cert', { 'root-cert.pem': root }, ns);
  return at(live({ ...cm, metadata: { ...cm.metadata, labels: { 'istio.io/config': 'true' } } }), created);
}

function mesh(cluster: string) {
  const ns = unit({ cluster, kind: 'namespace', objects: [namespace()] });
  const cacerts = unit({ cluster, kind: 'cacerts', dependsOn: [`${cluster}/namespace`], objects: [secret('cacerts', { 'root-cert.pem': meshRoot })] });
  const cp = unit({ cluster, kind: 'control-plane', dependsOn: [`${cluster}/cacerts`], objects: [deployment()] });
  return { units: [ns, cacerts, cp], live: [live(namespace()), at(live(secret('cacerts', { 'root-cert.pem': meshRoot })), '2026-01-01T10:00:00Z'), live(deployment())] };
}

describe('istiod leftovers', () => {
  it("deletes, on destroy, the root-cert ConfigMaps holding the mesh's root written after its cacerts, and leaves the others", () => {
    const m = mesh('cluster1');
    const liveObjects = liveMap('cluster1', [
      ...m.live,
      rootCertConfigMap('default', meshRoot, '2026-01-01T10:00:05Z'),
      rootCertConfigMap('istio-system', meshRoot, '2026-01-01T10:00:00Z'),
      // Another Istio's root, or written before meshctl's cacerts existed: not meshctl's doing.
      rootCertConfigMap('legacy', otherRoot, '2026-01-01T11:00:00Z'),
      rootCertConfigMap('older', meshRoot, '2025-12-31T09:00:00Z'),
    ]);
    const plan = planOf({ mode: 'destroy', units: m.units, live: liveObjects, prior: stateAfterApply(m.units) });
    const leftovers = plan.changes.filter((c) => c.unit === 'cluster1/istiod-leftovers');
    expect(leftovers.map((c) => [c.address, c.action, c.reason])).toEqual([
      ['cluster1/ConfigMap/default/istio-ca-root-cert', 'delete', 'written-by-istiod'],
      ['cluster1/ConfigMap/istio-system/istio-ca-root-cert', 'delete', 'written-by-istiod'],
    ]);
    // After the control plane, before the cacerts Secret and the namespace.
    expect(plan.units.map((u) => [u.id, u.dependsOn])).toEqual([
      ['cluster1/control-plane', []],
      ['cluster1/istiod-leftovers', ['cluster1/control-plane']],
      ['cluster1/cacerts', ['cluster1/istiod-leftovers']],
      ['cluster1/namespace', ['cluster1/cacerts']],
    ]);
    expect(plan.summary.destroy).toBe(5);
  });

  it("deletes the CRL ConfigMaps istiod wrote after meshctl's cacerts, and leaves an older one", () => {
    const m = mesh('cluster1');
    const crl = (ns: string, created: string) => {
      const cm = configMap('istio-ca-crl', { 'ca-crl.pem': '' }, ns);
      return at(live({ ...cm, metadata: { ...cm.metadata, labels: { 'istio.io/config': 'true' } } }), created);
    };
    const liveObjects = liveMap('cluster1', [...m.live, crl('default', '2026-01-01T10:00:05Z'), crl('kube-system', '2025-12-31T09:00:00Z')]);
    const plan = planOf({ mode: 'destroy', units: m.units, live: liveObjects, prior: stateAfterApply(m.units) });
    expect(plan.changes.filter((c) => c.unit === 'cluster1/istiod-leftovers').map((c) => c.address)).toEqual(['cluster1/ConfigMap/default/istio-ca-crl']);
  });

  it('leaves every root-cert ConfigMap alone when the cacerts Secret was there before meshctl', () => {
    const m = mesh('cluster1');
    const liveObjects = liveMap('cluster1', [...m.live, rootCertConfigMap('default', meshRoot, '2026-01-01T10:00:05Z')]);
    const prior = stateAfterApply(m.units, { records: { 'cluster1/Secret/istio-system/cacerts': { existedBefore: true } } });
    const plan = planOf({ mode: 'destroy', units: m.units, live: liveObjects, prior });
    expect(plan.units.map((u) => u.id)).not.toContain('cluster1/istiod-leftovers');
    expect(plan.changes.some((c) => c.ref.name === 'istio-ca-root-cert')).toBe(false);
  });

  it('plans them for a cluster that leaves mesh.yaml, after the units that leave, and not for a cluster that stays', () => {
    const one = mesh('cluster1');
    const two = mesh('cluster2');
    const liveObjects = new Map([
      ...liveMap('cluster1', [...one.live, rootCertConfigMap('default', meshRoot, '2026-01-01T10:00:05Z')]),
      ...liveMap('cluster2', [...two.live, rootCertConfigMap('default', meshRoot, '2026-01-01T10:00:05Z')]),
    ]);
    const plan = planOf({ mode: 'apply', units: one.units, live: liveObjects, prior: stateAfterApply([...one.units, ...two.units]) });
    const deleted = plan.changes.filter((c) => c.action === 'delete').map((c) => c.address);
    expect(deleted).toContain('cluster2/ConfigMap/default/istio-ca-root-cert');
    expect(deleted).not.toContain('cluster1/ConfigMap/default/istio-ca-root-cert');
    const ids = plan.units.map((u) => u.id);
    expect(ids.indexOf('cluster2/istiod-leftovers')).toBeGreaterThan(ids.indexOf('cluster2/control-plane'));
    expect(ids.indexOf('cluster2/istiod-leftovers')).toBeLessThan(ids.indexOf('cluster2/cacerts'));
  });
});
