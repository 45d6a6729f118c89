// The seed guide, "Install Primary-Remote on different networks", reproduced unit by unit and
// compared field for field with the guide's files and Istio's samples (golden/).
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../../src/model/build.js';
import { guideTopology, istio } from './fixtures.js';
import { expectGolden, goldenDoc, goldenDocs } from './golden.js';
import { graphProblems } from './graph-checks.js';
import { ids, plain, unitById } from './units.js';

const { desired, diagnostics } = buildDesired(guideTopology());

describe('the guide (primary-remote on different networks)', () => {
  it('builds without diagnostics and lists the units by cluster, then kind', () => {
    expect(diagnostics).toEqual([]);
    expect(desired.meshID).toBe('mesh1');
    expect(ids(desired)).toEqual([
      'cluster1/namespace',
      'cluster1/cacerts',
      'cluster1/crds',
      'cluster1/control-plane',
      'cluster1/eastwest-gateway',
      'cluster1/expose-istiod',
      'cluster1/expose-services',
      'cluster1/remote-secret/cluster2',
      'cluster2/namespace',
      'cluster2/cacerts',
      'cluster2/crds',
      'cluster2/control-plane',
      'cluster2/eastwest-gateway',
      'cluster2/expose-services',
      'cluster2/remote-reader',
    ]);
    expect(graphProblems(desired.units)).toEqual([]);
  });

  it("installs cluster1 with the guide's cluster1.yaml", () => {
    const unit = unitById(desired, 'cluster1/control-plane');
    expect(plain(unit.istioOperator)).toEqual(goldenDoc('guide-cluster1.yaml'));
    expect(unit.objects).toEqual([]);
  });

  it("installs cluster2 with the guide's cluster2.yaml, the discovery address known after apply", () => {
    const unit = unitById(desired, 'cluster2/control-plane');
    expect(plain(unit.istioOperator)).toEqual(goldenDoc('guide-cluster2.yaml'));
  });

  it("splits Istio's CRDs off each control plane's rendering, needing nothing first", () => {
    for (const c of ['cluster1', 'cluster2']) {
      const crds = unitById(desired, `${c}/crds`);
      const controlPlane = unitById(desired, `${c}/control-plane`);
      // One IstioOperator, one rendering: the two units take complementary parts of it.
      expect(crds.istioOperator).toEqual(controlPlane.istioOperator);
      expect([crds.renderPart, controlPlane.renderPart]).toEqual(['crds', 'all-but-crds']);
      expect(crds.dependsOn).toEqual([]);
      expect(crds.objects).toEqual([]);
      expect(crds.waits).toEqual([{ kind: 'crds-established', names: ['gateways.networking.istio.io', 'virtualservices.networking.istio.io'] }]);
      expect(controlPlane.waits.some((w) => w.kind === 'crds-established')).toBe(false);
    }
  });

  it('installs each east-west gateway exactly as gen-eastwest-gateway.sh prints it', () => {
    expect(plain(unitById(desired, 'cluster1/eastwest-gateway').istioOperator)).toEqual(goldenDoc('eastwest-network1.yaml'));
    expect(plain(unitById(desired, 'cluster2/eastwest-gateway').istioOperator)).toEqual(goldenDoc('eastwest-network2.yaml'));
  });

  it('gives the two IstioOperators of a cluster distinct names, so neither install prunes the other', () => {
    for (const c of ['cluster1', 'cluster2']) {
      const names = [`${c}/control-plane`, `${c}/eastwest-gateway`].map((id) => unitById(desired, id).istioOperator?.metadata.name);
      expect(new Set(names).size).toBe(2);
    }
  });

  it('exposes istiod in cluster1 with expose-istiod.yaml', () => {
    expect(plain(unitById(desired, 'cluster1/expose-istiod').objects)).toEqual(goldenDocs('expose-istiod.yaml'));
  });

  it('applies expose-services.yaml in both clusters, as the guide does', () => {
    for (const c of ['cluster1', 'cluster2']) {
      expect(plain(unitById(desired, `${c}/expose-services`).objects)).toEqual(goldenDocs('expose-services.yaml'));
    }
  });

  it('labels istio-system with the network, and annotates the remote with its control plane', () => {
    expect(unitById(desired, 'cluster1/namespace').objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network1' } },
      },
    ]);
    expect(unitById(desired, 'cluster2/namespace').objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'istio-system',
          labels: { 'topology.istio.io/network': 'network2' },
          annotations: { 'topology.istio.io/controlPlaneClusters': 'cluster1' },
        },
      },
    ]);
  });

  it('plugs in cacerts whose four keys are sensitive and filled at apply', () => {
    const marker = { $unknown: { unit: 'cluster2/cacerts', output: 'cacerts', sensitive: true } };
    const unit = unitById(desired, 'cluster2/cacerts');
    expect(unit.objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'cacerts', namespace: 'istio-system' },
        type: 'Opaque',
        data: { 'ca-cert.pem': marker, 'ca-key.pem': marker, 'root-cert.pem': marker, 'cert-chain.pem': marker },
      },
    ]);
    expect(unit.outputs).toEqual(['cacerts']);
  });

  it('creates the reader token Secret in cluster2, as create-remote-secret does on Kubernetes >= 1.24', () => {
    const unit = unitById(desired, 'cluster2/remote-reader');
    expect(unit.objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'istio-reader-service-account-istio-remote-secret-token',
          namespace: 'istio-system',
          annotations: { 'kubernetes.io/service-account.name': 'istio-reader-service-account' },
        },
        type: 'kubernetes.io/service-account-token',
      },
    ]);
    expect(unit.waits).toEqual([{ kind: 'token-populated', namespace: 'istio-system', name: 'istio-reader-service-account-istio-remote-secret-token' }]);
    expect(unit.outputs).toEqual(['token', 'caData']);
  });

  it("attaches cluster2 with create-remote-secret's Secret, and waits for the webhook caBundle", () => {
    const unit = unitById(desired, 'cluster1/remote-secret/cluster2');
    const token = { $unknown: { unit: 'cluster2/remote-reader', output: 'token', sensitive: true } };
    expect(unit.cluster).toBe('cluster1');
    expect(unit.objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'istio-remote-secret-cluster2',
          namespace: 'istio-system',
          labels: { 'istio/multiCluster': 'true' },
          annotations: { 'networking.istio.io/cluster': 'cluster2' },
        },
        data: { cluster2: token },
      },
    ]);
    expect(unit.remoteKubeconfig).toEqual({
      dataKey: 'cluster2',
      clusterName: 'cluster2',
      server: { kind: 'kubeconfig', cluster: 'cluster2', context: 'kind-cluster2' },
      certificateAuthorityData: { $unknown: { unit: 'cluster2/remote-reader', output: 'caData' } },
      token,
    });
    expect(unit.waits).toEqual([{ kind: 'webhook-cabundle', cluster: 'cluster2', name: 'istio-sidecar-injector' }]);
  });

  it("waits for the east-west gateways' addresses and deployments", () => {
    for (const c of ['cluster1', 'cluster2']) {
      const unit = unitById(desired, `${c}/eastwest-gateway`);
      expect(unit.waits).toEqual([
        { kind: 'loadbalancer-address', namespace: 'istio-system', name: 'istio-eastwestgateway' },
        { kind: 'deployment-available', namespace: 'istio-system', name: 'istio-eastwestgateway' },
      ]);
      expect(unit.outputs).toEqual(['address']);
    }
    expect(unitById(desired, 'cluster1/control-plane').waits).toContainEqual({
      kind: 'deployment-available',
      namespace: 'istio-system',
      name: 'istiod',
    });
  });

  // The current page's order (istio-multicluster.md §1.4 and §9), not the seed guide's: the
  // remote secret, and the patched webhook, come before the remote's gateway.
  it.each([
    ['cluster1/namespace', []],
    ['cluster1/cacerts', ['cluster1/namespace']],
    ['cluster1/crds', []],
    ['cluster1/control-plane', ['cluster1/namespace', 'cluster1/cacerts', 'cluster1/crds']],
    ['cluster1/eastwest-gateway', ['cluster1/control-plane']],
    ['cluster1/expose-istiod', ['cluster1/eastwest-gateway']],
    ['cluster1/expose-services', ['cluster1/eastwest-gateway']],
    ['cluster2/namespace', []],
    ['cluster2/cacerts', ['cluster2/namespace']],
    ['cluster2/crds', []],
    ['cluster2/control-plane', ['cluster2/namespace', 'cluster2/cacerts', 'cluster2/crds', 'cluster1/control-plane']],
    ['cluster2/remote-reader', ['cluster2/control-plane']],
    ['cluster1/remote-secret/cluster2', ['cluster2/remote-reader', 'cluster1/control-plane']],
    ['cluster2/eastwest-gateway', ['cluster2/control-plane', 'cluster1/remote-secret/cluster2']],
    ['cluster2/expose-services', ['cluster2/eastwest-gateway']],
  ])('%s depends on %j', (id, deps) => {
    expect(unitById(desired, id).dependsOn).toEqual(deps);
  });

  // Needed to install the remote (its address, its route to istiod), not to upgrade it: an
  // upgrade moves the gateway, a proxy, after the remote's configuration.
  it('orders cluster1 east-west gateway after cluster2 control plane when both only update', () => {
    expect(unitById(desired, 'cluster2/control-plane').installDependsOn).toEqual(['cluster1/eastwest-gateway', 'cluster1/expose-istiod']);
    expect(unitById(desired, 'cluster1/eastwest-gateway').updatesAfter).toEqual(['cluster2/control-plane']);
    expect(desired.units.filter((u) => u.installDependsOn || u.updatesAfter).map((u) => u.id)).toEqual(['cluster1/eastwest-gateway', 'cluster2/control-plane']);
  });

  it('matches the reviewed golden of the whole desired state', () => {
    expectGolden(
      'desired-guide.yaml',
      `Whole Desired for the seed guide (cluster1 primary/network1, cluster2 remote/network2,
Istio 1.31.0, generated trust). Regenerate with UPDATE_GOLDEN=1 and review against
guide-cluster1.yaml, guide-cluster2.yaml, eastwest-network*.yaml, expose-*.yaml.`,
      desired,
    );
  });
});

describe('the guide on other Istio versions', () => {
  it("uses the guide's pilot.env.EXTERNAL_ISTIOD on 1.23", () => {
    const old = buildDesired(guideTopology({ istio: istio('1.23.6') })).desired;
    expect(plain(unitById(old, 'cluster1/control-plane').istioOperator)).toEqual(goldenDoc('guide-cluster1-istio-1.23.yaml'));
  });
});
