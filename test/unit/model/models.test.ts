// The other install models: what each page creates where, and a reviewed golden per model.
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../../src/model/build.js';
import type { Topology } from '../../../src/config/topology.js';
import { multiPrimaryMultiNetworkTopology, multiPrimaryTopology, primaryRemoteSameNetworkTopology, severalPrimariesTopology } from './fixtures.js';
import { expectGolden, goldenDoc, goldenDocs } from './golden.js';
import { graphProblems } from './graph-checks.js';
import { ids, plain, unitById } from './units.js';

const models: [string, () => Topology, string][] = [
  ['multi-primary', multiPrimaryTopology, 'cluster1 and cluster2, both primary on network1'],
  ['multi-primary-multi-network', multiPrimaryMultiNetworkTopology, 'cluster1..3, all primary, on network1..3'],
  ['primary-remote', primaryRemoteSameNetworkTopology, 'cluster1 primary and cluster2 its remote, both on network1'],
  ['several-primaries', severalPrimariesTopology, 'primaries east1 and west1 on networks east and west, each with a remote (east2, west2) on its network'],
];

describe.each(models)('model %s', (name, topology, description) => {
  const { desired, diagnostics } = buildDesired(topology());

  it('builds a well-formed graph without diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(graphProblems(desired.units)).toEqual([]);
  });

  it('matches the reviewed golden', () => {
    expectGolden(
      `desired-${name}.yaml`,
      `Whole Desired for ${description} (Istio 1.31.0, generated trust).
Regenerate with UPDATE_GOLDEN=1 and review against the sample goldens and docs/model.md.`,
      desired,
    );
  });
});

describe('multi-primary (one network)', () => {
  const { desired } = buildDesired(multiPrimaryTopology());

  it("installs istiod in every cluster with the page's IstioOperator and nothing network-related", () => {
    expect(ids(desired)).toEqual([
      'cluster1/namespace',
      'cluster1/cacerts',
      'cluster1/crds',
      'cluster1/control-plane',
      'cluster1/remote-reader',
      'cluster1/remote-secret/cluster2',
      'cluster2/namespace',
      'cluster2/cacerts',
      'cluster2/crds',
      'cluster2/control-plane',
      'cluster2/remote-reader',
      'cluster2/remote-secret/cluster1',
    ]);
    expect(plain(unitById(desired, 'cluster2/control-plane').istioOperator?.spec)).toEqual({
      values: { global: { meshID: 'mesh1', multiCluster: { clusterName: 'cluster2' }, network: 'network1' } },
    });
  });

  it('exchanges remote secrets in both directions, each after the source reader, without webhook waits', () => {
    expect(unitById(desired, 'cluster1/remote-secret/cluster2').dependsOn).toEqual(['cluster2/remote-reader', 'cluster1/control-plane']);
    expect(unitById(desired, 'cluster2/remote-secret/cluster1').dependsOn).toEqual(['cluster1/remote-reader', 'cluster2/control-plane']);
    for (const u of desired.units.filter((u) => u.kind === 'remote-secret')) expect(u.waits).toEqual([]);
  });
});

describe('multi-primary on three networks', () => {
  const { desired } = buildDesired(multiPrimaryMultiNetworkTopology());

  it('gives every cluster a gateway of its network and the cross-network Gateway, and no expose-istiod', () => {
    for (const [i, c] of ['cluster1', 'cluster2', 'cluster3'].entries()) {
      const network = `network${i + 1}`;
      const iop = plain(unitById(desired, `${c}/eastwest-gateway`).istioOperator);
      if (network !== 'network3') expect(iop).toEqual(goldenDoc(`eastwest-${network}.yaml`));
      expect(iop?.spec).toMatchObject({ values: { global: { network } } });
      expect(plain(unitById(desired, `${c}/expose-services`).objects)).toEqual(goldenDocs('expose-services.yaml'));
      expect(unitById(desired, `${c}/eastwest-gateway`).dependsOn).toEqual([`${c}/control-plane`]);
    }
    expect(desired.units.filter((u) => u.kind === 'expose-istiod')).toEqual([]);
  });

  it("holds every other cluster's secret in every cluster", () => {
    expect(desired.units.filter((u) => u.kind === 'remote-secret').map((u) => u.id)).toEqual([
      'cluster1/remote-secret/cluster2',
      'cluster1/remote-secret/cluster3',
      'cluster2/remote-secret/cluster1',
      'cluster2/remote-secret/cluster3',
      'cluster3/remote-secret/cluster1',
      'cluster3/remote-secret/cluster2',
    ]);
  });

  it('never gives a primary the external-istiod switch when it controls no remote', () => {
    for (const u of desired.units.filter((u) => u.kind === 'control-plane')) {
      expect(JSON.stringify(u.istioOperator)).not.toMatch(/EXTERNAL_ISTIOD|externalIstiod/);
    }
  });
});

describe('primary-remote on one network', () => {
  const { desired } = buildDesired(primaryRemoteSameNetworkTopology());

  it('puts the gateway only on the primary, for istiod, and no cross-network Gateway anywhere', () => {
    expect(ids(desired)).toEqual([
      'cluster1/namespace',
      'cluster1/cacerts',
      'cluster1/crds',
      'cluster1/control-plane',
      'cluster1/eastwest-gateway',
      'cluster1/expose-istiod',
      'cluster1/remote-secret/cluster2',
      'cluster2/namespace',
      'cluster2/cacerts',
      'cluster2/crds',
      'cluster2/control-plane',
      'cluster2/remote-reader',
    ]);
    expect(plain(unitById(desired, 'cluster1/eastwest-gateway').istioOperator)).toEqual(goldenDoc('eastwest-network1.yaml'));
  });

  it('points the remote at the primary and injects with its network', () => {
    expect(plain(unitById(desired, 'cluster2/control-plane').istioOperator?.spec)).toEqual({
      profile: 'remote',
      values: {
        istiodRemote: { injectionPath: '/inject/cluster/cluster2/net/network1' },
        global: { remotePilotAddress: { $unknown: { unit: 'cluster1/eastwest-gateway', output: 'address' } } },
      },
    });
  });
});

describe('several primaries, each with a remote', () => {
  const { desired } = buildDesired(severalPrimariesTopology());

  it('annotates each remote with its own primary only', () => {
    for (const [r, p] of [
      ['east2', 'east1'],
      ['west2', 'west1'],
    ]) {
      expect(unitById(desired, `${r}/namespace`).objects[0]?.metadata.annotations).toEqual({
        'topology.istio.io/controlPlaneClusters': p,
      });
      expect(unitById(desired, `${r}/control-plane`).dependsOn).toContain(`${p}/control-plane`);
      expect(unitById(desired, `${r}/control-plane`).installDependsOn).toEqual([`${p}/eastwest-gateway`, `${p}/expose-istiod`]);
      expect(unitById(desired, `${p}/eastwest-gateway`).updatesAfter).toEqual([`${r}/control-plane`]);
      expect(unitById(desired, `${r}/eastwest-gateway`).dependsOn).toContain(`${p}/remote-secret/${r}`);
    }
  });

  it("lets every primary read every other cluster, but waits for the caBundle only in the remote's own primary", () => {
    const secrets = desired.units.filter((u) => u.kind === 'remote-secret');
    expect(secrets.map((u) => u.id)).toEqual([
      'east1/remote-secret/east2',
      'east1/remote-secret/west1',
      'east1/remote-secret/west2',
      'west1/remote-secret/east1',
      'west1/remote-secret/east2',
      'west1/remote-secret/west2',
    ]);
    expect(secrets.filter((u) => u.waits.length > 0).map((u) => u.id)).toEqual(['east1/remote-secret/east2', 'west1/remote-secret/west2']);
  });

  it('switches on external istiod in both primaries, and a reader in every cluster', () => {
    for (const p of ['east1', 'west1']) {
      expect(unitById(desired, `${p}/control-plane`).istioOperator?.spec).toMatchObject({
        values: { global: { externalIstiod: true } },
      });
    }
    expect(desired.units.filter((u) => u.kind === 'remote-reader').map((u) => u.cluster)).toEqual(['east1', 'east2', 'west1', 'west2']);
  });
});
