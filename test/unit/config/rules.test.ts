// One row per semantic rule: a mutation of the guide's mesh, and exactly the diagnostics it
// must produce (severity, summary, path, and the source text the range underlines).
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diagnostics.js';
import { loadTopologyFromText } from '../../../src/config/load.js';
import { fakeMeshDir } from './fake-fs.js';
import { meshText, type MeshObject } from './mesh-builder.js';

interface Row {
  readonly name: string;
  readonly mutate: (m: MeshObject) => void;
  /** [severity, summary, path, underlined text] */
  readonly expected: ReadonlyArray<readonly [Diagnostic['severity'], string, string, string]>;
}

const remote3 = { context: 'cluster3', role: 'remote', network: 'network2', controlPlane: 'cluster1' };

const rows: Row[] = [
  { name: 'the guide itself', mutate: () => {}, expected: [] },
  {
    name: 'network not declared',
    mutate: (m) => (m.clusters.cluster2.network = 'network3'),
    expected: [
      ['warning', 'Unused network', 'networks[1]', 'network2'],
      ['error', 'Undeclared network', 'clusters.cluster2.network', 'network3'],
    ],
  },
  {
    name: 'declared network unused',
    mutate: (m) => m.networks.push('network3'),
    expected: [['warning', 'Unused network', 'networks[2]', 'network3']],
  },
  {
    name: 'remote without controlPlane',
    mutate: (m) => delete m.clusters.cluster2.controlPlane,
    expected: [['error', 'Remote without controlPlane', 'clusters.cluster2', 'cluster2']],
  },
  {
    name: 'controlPlane names no cluster',
    mutate: (m) => (m.clusters.cluster2.controlPlane = 'cluster9'),
    expected: [['error', 'Unknown cluster', 'clusters.cluster2.controlPlane', 'cluster9']],
  },
  {
    name: 'controlPlane names a remote',
    mutate: (m) => (m.clusters.cluster3 = { ...remote3, controlPlane: 'cluster2' }),
    expected: [['error', 'controlPlane is not a primary', 'clusters.cluster3.controlPlane', 'cluster2']],
  },
  {
    name: 'controlPlane may name an external cluster (with the external warning)',
    mutate: (m) => (m.clusters.cluster1.role = 'external'),
    expected: [['warning', 'Not supported by apply yet', 'clusters.cluster1.role', 'external']],
  },
  {
    name: 'primary with controlPlane',
    mutate: (m) => (m.clusters.cluster1.controlPlane = 'cluster2'),
    expected: [['error', 'Unexpected controlPlane', 'clusters.cluster1.controlPlane', 'controlPlane']],
  },
  {
    name: 'no primary',
    mutate: (m) => {
      m.clusters.cluster1 = { ...remote3, context: 'cluster1', network: 'network1', controlPlane: 'cluster2' };
    },
    expected: [
      ['error', 'No primary cluster', 'clusters', 'clusters'],
      ['error', 'controlPlane is not a primary', 'clusters.cluster1.controlPlane', 'cluster2'],
      ['error', 'controlPlane is not a primary', 'clusters.cluster2.controlPlane', 'cluster1'],
    ],
  },
  {
    name: 'multi-network with a gateway switched off',
    mutate: (m) => (m.clusters.cluster2.eastWestGateway = { enabled: false }),
    expected: [['error', 'East-west gateway required', 'clusters.cluster2.eastWestGateway.enabled', 'false']],
  },
  {
    name: 'primary controlling remotes without its gateway (one network)',
    mutate: (m) => {
      m.networks = ['network1'];
      m.clusters.cluster2.network = 'network1';
      m.clusters.cluster1.eastWestGateway = { enabled: false };
    },
    expected: [['error', 'East-west gateway required', 'clusters.cluster1.eastWestGateway.enabled', 'false']],
  },
  {
    name: 'remote on one network may switch its gateway off',
    mutate: (m) => {
      m.networks = ['network1'];
      m.clusters.cluster2.network = 'network1';
      m.clusters.cluster2.eastWestGateway = { enabled: false };
    },
    expected: [],
  },
  {
    name: 'ClusterIP gateway where peers need it',
    mutate: (m) => (m.clusters.cluster2.eastWestGateway = { serviceType: 'ClusterIP' }),
    expected: [['warning', 'Unreachable east-west gateway', 'clusters.cluster2.eastWestGateway.serviceType', 'ClusterIP']],
  },
  {
    name: 'loopback apiServer on a remote',
    mutate: (m) => (m.clusters.cluster2.apiServer = 'https://127.0.0.1:6443'),
    expected: [['warning', 'Loopback API server', 'clusters.cluster2.apiServer', 'https://127.0.0.1:6443']],
  },
  {
    name: 'loopback apiServer (IPv6) on a remote',
    mutate: (m) => (m.clusters.cluster2.apiServer = 'https://[::1]:6443'),
    expected: [['warning', 'Loopback API server', 'clusters.cluster2.apiServer', 'https://[::1]:6443']],
  },
  {
    name: "loopback apiServer on the only primary is nobody's business",
    mutate: (m) => (m.clusters.cluster1.apiServer = 'https://localhost:6443'),
    expected: [],
  },
  {
    name: 'unsupported Istio version',
    mutate: (m) => (m.istio.version = '1.28.0'),
    expected: [['error', 'Unsupported Istio version', 'istio.version', '1.28.0']],
  },
  {
    name: 'invalid revision',
    mutate: (m) => (m.istio.revision = '1-31_0'),
    expected: [['error', 'Invalid revision', 'istio.revision', '1-31_0']],
  },
  {
    name: 'ambient',
    mutate: (m) => (m.istio.dataPlaneMode = 'ambient'),
    expected: [['warning', 'Not supported by apply yet', 'istio.dataPlaneMode', 'ambient']],
  },
  {
    name: 'escape hatch sets a key meshctl owns',
    mutate: (m) => (m.clusters.cluster2.istioOperator = { values: { istiodRemote: { injectionPath: '/inject' } } }),
    expected: [['error', 'Key owned by meshctl', 'clusters.cluster2.istioOperator.values.istiodRemote.injectionPath', 'injectionPath']],
  },
  {
    name: 'escape hatch sets clusterName and remotePilotAddress',
    mutate: (m) =>
      (m.clusters.cluster1.istioOperator = {
        values: { global: { multiCluster: { clusterName: 'x' }, remotePilotAddress: '1.2.3.4' }, pilot: { resources: {} } },
      }),
    expected: [
      ['error', 'Key owned by meshctl', 'clusters.cluster1.istioOperator.values.global.multiCluster.clusterName', 'clusterName'],
      ['error', 'Key owned by meshctl', 'clusters.cluster1.istioOperator.values.global.remotePilotAddress', 'remotePilotAddress'],
    ],
  },
  {
    name: 'two cluster names on one context',
    mutate: (m) => (m.clusters.cluster2.context = 'cluster1'),
    expected: [['error', 'Duplicate context', 'clusters.cluster2.context', 'cluster1']],
  },
  {
    name: 'one context name in two kubeconfigs is two clusters',
    mutate: (m) => {
      m.clusters.cluster1.kubeconfig = './kubeconfig';
      m.clusters.cluster2.context = 'cluster1';
    },
    expected: [],
  },
  {
    name: 'missing kubeconfig',
    mutate: (m) => (m.clusters.cluster1.kubeconfig = 'nope/config'),
    expected: [['error', 'File not found', 'clusters.cluster1.kubeconfig', 'nope/config']],
  },
  {
    name: 'provided trust with a missing cluster and file',
    mutate: (m) =>
      (m.trust = {
        provided: {
          rootCert: './ca/root-cert.pem',
          clusters: { cluster1: { cert: 'ca/cluster1/ca-cert.pem', key: 'ca/cluster1/ca-key.pem', chain: 'ca/cluster1/chain.pem' } },
        },
      }),
    expected: [
      ['error', 'Missing cluster CA', 'trust.provided.clusters', 'clusters'],
      ['error', 'File not found', 'trust.provided.clusters.cluster1.chain', 'ca/cluster1/chain.pem'],
    ],
  },
  {
    name: 'trust none in a multi-cluster mesh',
    mutate: (m) => (m.trust = { none: {} }),
    expected: [['warning', 'No shared root of trust', 'trust.none', 'none']],
  },
  {
    name: 'generated trust directory that is a file',
    mutate: (m) => (m.trust = { generated: { directory: 'trust-file' } }),
    expected: [['error', 'Not a directory', 'trust.generated.directory', 'trust-file']],
  },
];

describe('semantic rules', () => {
  it.each(rows)('$name', ({ mutate, expected }) => {
    const text = meshText(mutate);
    const result = loadTopologyFromText(text, 'mesh.yaml', fakeMeshDir);
    const lines = text.split('\n');
    const got = result.diagnostics.map((d) => {
      const s = d.subject!;
      expect(s.endLine).toBe(s.line);
      return [d.severity, d.summary, d.path, lines[s.line - 1]!.slice(s.column - 1, s.endColumn - 1)];
    });
    expect(got).toEqual(expected);
    for (const d of result.diagnostics) expect(d.detail.length).toBeGreaterThan(20);
    expect(result.topology === undefined).toBe(expected.some(([sev]) => sev === 'error'));
  });
});
