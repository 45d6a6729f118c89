// checkRootKept: a root that generated trust cannot find is never replaced by a new one while
// the mesh runs on it (a cluster's cacerts, or the state's record of one); --new-root turns the
// refusal into a warning. Pure: live Secret data and state records in, diagnostics out.
import { beforeAll, describe, expect, it } from 'vitest';
import { sensitive } from '../../../src/kube/sensitive.js';
import { cacertsData } from '../../../src/trust/cacerts.js';
import { fingerprint } from '../../../src/trust/fingerprint.js';
import { checkRootKept, recordedCacertsRoots, ROOT_GUARD_SUMMARIES, type CheckRootKeptOptions } from '../../../src/trust/root-guard.js';
import type { TrustLocation } from '../../../src/trust/trust-store.js';
import { meshOf, type Mesh } from './fixtures.js';

let mesh: Mesh;
let other: Mesh;
beforeAll(async () => {
  mesh = await meshOf(['cluster1', 'cluster2']);
  other = await meshOf(['cluster3']);
});

const directory: TrustLocation = { kind: 'directory', directory: '/ci/checkout/trust' };
const secret: TrustLocation = { kind: 'secret', secret: 'Secret meshctl-trust-mesh1 in namespace "meshctl-system" (context "cluster1")', directory: '/ci/checkout/trust' };
const live = (m: Mesh, ...clusters: string[]) => new Map(clusters.map((c) => [c, cacertsData(m.material.get(c)!)]));

function check(o: Partial<CheckRootKeptOptions>) {
  return checkRootKept({ pendingRoot: true, location: directory, live: new Map(), recorded: new Map(), newRoot: false, ...o });
}

describe('checkRootKept', () => {
  it('says nothing when the root was found, or trust is not generated', () => {
    expect(check({ pendingRoot: false, live: live(mesh, 'cluster1') })).toEqual([]);
    expect(check({ location: undefined, live: live(mesh, 'cluster1') })).toEqual([]);
  });

  it('says nothing for a fresh mesh: no cacerts in any cluster, nothing recorded', () => {
    expect(check({})).toEqual([]);
  });

  it('refuses when clusters hold cacerts: the root they hold, where meshctl looked, how to supply it', () => {
    const [d, ...rest] = check({ live: live(mesh, 'cluster2', 'cluster1') });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary: ROOT_GUARD_SUMMARIES.missing, path: 'trust' });
    expect(d!.detail).toContain("looked for the mesh's root CA in the trust directory /ci/checkout/trust and found none");
    expect(d!.detail).toContain(`cluster1 and cluster2 hold Secret istio-system/cacerts chained to root ${fingerprint(mesh.root.certPem)}`);
    expect(d!.detail).toContain('copy the trust directory from where the mesh was first applied to /ci/checkout/trust');
    expect(d!.detail).toContain('state.kubernetes');
    expect(d!.detail).toContain('trust.provided');
    expect(d!.detail).toContain('--new-root');
    expect(JSON.stringify(d)).not.toContain('PRIVATE KEY');
  });

  it('names each root when clusters disagree, and a cacerts with no readable root', () => {
    const data = new Map<string, Record<string, string>>([...live(mesh, 'cluster1'), ...live(other, 'cluster3'), ['cluster4', { 'ca-key.pem': 'eA==' }]]);
    const [d] = check({ live: data });
    expect(d!.detail).toContain(`cluster1 holds Secret istio-system/cacerts chained to root ${fingerprint(mesh.root.certPem)}`);
    expect(d!.detail).toContain(`cluster3 holds Secret istio-system/cacerts chained to root ${fingerprint(other.root.certPem)}`);
    expect(d!.detail).toContain('cluster4 holds Secret istio-system/cacerts with no readable root certificate');
  });

  it('refuses when only the state records cacerts, with the root it recorded', () => {
    const [d] = check({
      recorded: new Map([
        ['cluster1', 'SHA256:aa:bb'],
        ['cluster2', undefined],
      ]),
    });
    expect(d!.severity).toBe('error');
    expect(d!.detail).toContain('the state records the cacerts meshctl applied to cluster1 with root SHA256:aa:bb');
    expect(d!.detail).toContain('the state records the cacerts meshctl applied to cluster2');
  });

  it('does not repeat a cluster that both holds cacerts and is recorded', () => {
    const [d] = check({ live: live(mesh, 'cluster1'), recorded: new Map([['cluster1', fingerprint(mesh.root.certPem)]]) });
    expect(d!.detail).not.toContain('the state records');
  });

  it('for the Secret beside a Kubernetes state: names the Secret, and how ./trust gets into it', () => {
    const [d] = check({ location: secret, live: live(mesh, 'cluster1') });
    expect(d!.detail).toContain('in Secret meshctl-trust-mesh1 in namespace "meshctl-system" (context "cluster1") and found none');
    expect(d!.detail).toContain('to /ci/checkout/trust (root-cert.pem, root-key.pem and one directory per cluster), and apply copies it into that Secret');
  });

  it('--new-root makes it a warning that says what breaks', () => {
    const [d, ...rest] = check({ newRoot: true, live: live(mesh, 'cluster1') });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning', summary: ROOT_GUARD_SUMMARIES.replacing });
    expect(d!.detail).toContain(fingerprint(mesh.root.certPem));
    expect(d!.detail).toContain('cross-cluster mTLS fails until istiod and every workload run with it');
  });
});

describe('recordedCacertsRoots', () => {
  it("finds each cluster's cacerts record and the root fingerprint its digest marker carries", () => {
    const m = mesh.material.get('cluster1')!;
    const applied = { apiVersion: 'v1', kind: 'Secret', data: { 'root-cert.pem': sensitive(m.rootCert), 'ca-key.pem': sensitive(m.caKey.reveal()) } };
    const cacerts = { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' };
    const records = [
      { cluster: 'cluster1', ref: cacerts, applied },
      { cluster: 'cluster2', ref: cacerts },
      { cluster: 'cluster1', ref: { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-remote-secret-cluster2' }, applied },
      { cluster: 'cluster1', ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'cacerts' } },
    ];
    expect(recordedCacertsRoots(records)).toEqual(
      new Map([
        ['cluster1', fingerprint(m.rootCert)],
        ['cluster2', undefined],
      ]),
    );
  });
});
