// Defaults, absolute paths, sorting and the digest of the Topology the loader returns.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadTopologyFromText } from '../../../src/config/load.js';
import { fakeMeshDir } from './fake-fs.js';
import { meshText } from './mesh-builder.js';

describe('normalize', () => {
  it('fills every default for the guide', () => {
    const text = meshText();
    const { topology, diagnostics } = loadTopologyFromText(text, 'mesh.yaml', fakeMeshDir);
    expect(diagnostics).toEqual([]);
    expect(topology).toEqual({
      source: { file: '/mesh/mesh.yaml', digest: createHash('sha256').update(text).digest('hex') },
      meshID: 'mesh1',
      istio: { version: '1.31.0', semver: [1, 31, 0], hub: 'docker.io/istio', tag: '1.31.0', dataPlaneMode: 'sidecar', revisionTags: [], keepRevisions: [] },
      networks: ['network1', 'network2'],
      trust: { mode: 'generated', directory: '/mesh/trust' },
      state: { backend: 'local', path: '/mesh/meshctl.state.json' },
      clusters: [
        {
          name: 'cluster1',
          context: 'cluster1',
          role: 'primary',
          network: 'network1',
          eastWestGateway: { enabled: true, serviceType: 'LoadBalancer', annotations: {} },
        },
        {
          name: 'cluster2',
          context: 'cluster2',
          role: 'remote',
          network: 'network2',
          controlPlane: 'cluster1',
          eastWestGateway: { enabled: true, serviceType: 'LoadBalancer', annotations: {} },
        },
      ],
    });
  });

  it('sorts clusters, resolves paths, merges gateway settings and keeps explicit values', () => {
    const text = meshText((m) => {
      m.istio = { version: '1.30.2', revision: 'canary', hub: 'example.com/istio', tag: '1.30.2-distroless' };
      m.networks = ['network1'];
      m.eastWestGateway = { serviceType: 'NodePort', annotations: { a: '1', b: '2' } };
      m.clusters = {
        zeta: { context: 'z', role: 'remote', network: 'network1', controlPlane: 'alpha', eastWestGateway: { annotations: { b: 'x' } } },
        alpha: { context: 'a', kubeconfig: 'kubeconfig', role: 'primary', network: 'network1', apiServer: 'https://10.0.0.1:6443', istioOperator: { values: { pilot: { resources: {} } } } },
      };
      m.trust = { provided: { rootCert: '/abs/root.pem', clusters: {} } };
    });
    const pathKind = () => 'file' as const;
    const { topology, diagnostics } = loadTopologyFromText(text, 'sub/mesh.yaml', { cwd: '/work', pathKind });
    // Provided trust without per-cluster CAs is an error; check normalisation with trust dropped.
    expect(diagnostics.map((d) => d.summary)).toEqual(['Missing cluster CA', 'Missing cluster CA']);
    expect(topology).toBeUndefined();
    const ok = loadTopologyFromText(text.replace(/trust:[\s\S]*$/, ''), 'sub/mesh.yaml', { cwd: '/work', pathKind });
    expect(ok.diagnostics).toEqual([]);
    const t = ok.topology!;
    expect(t.source.file).toBe('/work/sub/mesh.yaml');
    expect(t.istio).toEqual({
      version: '1.30.2',
      semver: [1, 30, 2],
      revision: 'canary',
      hub: 'example.com/istio',
      tag: '1.30.2-distroless',
      dataPlaneMode: 'sidecar',
      revisionTags: [],
      keepRevisions: [],
    });
    expect(t.trust).toEqual({ mode: 'generated', directory: '/work/sub/trust' });
    expect(t.clusters.map((c) => c.name)).toEqual(['alpha', 'zeta']);
    expect(t.clusters[0]).toEqual({
      name: 'alpha',
      context: 'a',
      kubeconfig: '/work/sub/kubeconfig',
      role: 'primary',
      network: 'network1',
      apiServer: 'https://10.0.0.1:6443',
      eastWestGateway: { enabled: true, serviceType: 'NodePort', annotations: { a: '1', b: '2' } },
      istioOperatorOverlay: { values: { pilot: { resources: {} } } },
    });
    // A remote on the primary's network needs no gateway by default.
    expect(t.clusters[1]!.eastWestGateway).toEqual({ enabled: false, serviceType: 'NodePort', annotations: { a: '1', b: 'x' } });
  });

  it('makes provided trust paths absolute', () => {
    const text = meshText((m) => {
      m.trust = {
        provided: {
          rootCert: 'ca/root-cert.pem',
          clusters: Object.fromEntries(['cluster2', 'cluster1'].map((c) => [c, { cert: `ca/${c}/ca-cert.pem`, key: `ca/${c}/ca-key.pem`, chain: `ca/${c}/cert-chain.pem` }])),
        },
      };
    });
    const { topology, diagnostics } = loadTopologyFromText(text, 'mesh.yaml', fakeMeshDir);
    expect(diagnostics).toEqual([]);
    expect(topology!.trust).toEqual({
      mode: 'provided',
      rootCert: '/mesh/ca/root-cert.pem',
      clusters: {
        cluster1: { cert: '/mesh/ca/cluster1/ca-cert.pem', key: '/mesh/ca/cluster1/ca-key.pem', chain: '/mesh/ca/cluster1/cert-chain.pem' },
        cluster2: { cert: '/mesh/ca/cluster2/ca-cert.pem', key: '/mesh/ca/cluster2/ca-key.pem', chain: '/mesh/ca/cluster2/cert-chain.pem' },
      },
    });
  });

  it('trust none normalises to mode none (single cluster: no warning)', () => {
    const text = meshText((m) => {
      m.trust = { none: {} };
      m.networks = ['network1'];
      m.clusters = { cluster1: { context: 'cluster1', role: 'primary', network: 'network1' } };
    });
    const { topology, diagnostics } = loadTopologyFromText(text, 'mesh.yaml', fakeMeshDir);
    expect(diagnostics).toEqual([]);
    expect(topology!.trust).toEqual({ mode: 'none' });
    expect(topology!.clusters[0]!.eastWestGateway.enabled).toBe(false);
  });
});
