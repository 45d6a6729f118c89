// verify's judgement, pure: facts a working guide mesh (primary-remote, two networks) shows,
// then one break at a time, each named by the check a user would read, with its fix.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/object.js';
import { CONTROLLER_PERMISSIONS, READER_PERMISSIONS } from '../../../src/model/istiod-permissions.js';
import { meshShape } from '../../../src/model/mesh-shape.js';
import type { ClusterFacts, VerifyFacts } from '../../../src/observe/verify-facts.js';
import { permissionsFor, verifyMesh, type CheckResult } from '../../../src/verify/checks.js';
import { guideTopology, istio } from '../model/fixtures.js';
import { meshOf as trustOf, T0 } from '../trust/fixtures.js';
import type { Mesh } from '../trust/fixtures.js';

const topology = guideTopology();
const shape = meshShape(topology);
let trust: Mesh;
let otherRoot: Mesh;
beforeAll(async () => {
  trust = await trustOf(['cluster1', 'cluster2']);
  otherRoot = await trustOf(['cluster2']);
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const obj = (kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...rest,
});
const istiod = (tag = '1.31.0', available = true) =>
  obj('Deployment', 'istiod', 'istio-system', {
    spec: { template: { spec: { containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${tag}` }] } } },
    status: { conditions: [{ type: 'Available', status: available ? 'True' : 'False' }] },
  });
const gateway = (ip?: string) => obj('Service', 'istio-eastwestgateway', 'istio-system', { status: { loadBalancer: ip ? { ingress: [{ ip }] } : {} } });
const injector = (caBundle: string | undefined, url?: string) =>
  obj('MutatingWebhookConfiguration', 'istio-sidecar-injector', undefined, {
    webhooks: [{ name: 'a', clientConfig: { ...(caBundle ? { caBundle } : {}), ...(url ? { url } : { service: { name: 'istiod' } }) } }],
  });
const rootCert = (ns: string, pem: string) => obj('ConfigMap', 'istio-ca-root-cert', ns, { data: { 'root-cert.pem': pem } });

function cluster(name: string, o: Partial<ClusterFacts> = {}): ClusterFacts {
  const root = trust.root.certPem;
  return {
    cluster: name,
    cacerts: { 'root-cert.pem': root, 'ca-cert.pem': trust.cas.get(name)!.certPem, 'cert-chain.pem': trust.cas.get(name)!.certPem + root },
    istiods: [],
    injectors: [injector(b64(root))],
    tagWebhooks: [],
    namespaces: ['default', 'istio-system', 'kube-public'],
    rootCertConfigMaps: [rootCert('default', root), rootCert('istio-system', root)],
    remoteIstiodEndpoints: [],
    remoteSecrets: [],
    ...o,
  };
}

function workingMesh(): Map<string, ClusterFacts> {
  const root = trust.root.certPem;
  return new Map([
    [
      'cluster1',
      cluster('cluster1', {
        istiods: [istiod()],
        eastwestService: gateway('192.0.2.10'),
        remoteSecrets: [
          {
            secret: 'istio-remote-secret-cluster2',
            target: 'cluster2',
            server: 'https://127.0.0.1:6443',
            identity: { username: 'system:serviceaccount:istio-system:istio-reader-service-account' },
            permissions: [...READER_PERMISSIONS, ...CONTROLLER_PERMISSIONS].map((p) => ({ ...p, allowed: true })),
          },
        ],
      }),
    ],
    [
      'cluster2',
      cluster('cluster2', {
        eastwestService: gateway('198.51.100.10'),
        injectors: [injector(b64(root), 'https://192.0.2.10:15017/inject/cluster/cluster2/net/network2')],
        remoteIstiodEndpoints: [obj('EndpointSlice', 'istiod-abcde', 'istio-system', { endpoints: [{ addresses: ['192.0.2.10'] }] })],
      }),
    ],
  ]);
}

const verify = (clusters: Map<string, ClusterFacts>, at = T0.toISOString()) => verifyMesh(topology, shape, { clusters, at } satisfies VerifyFacts);
const failing = (r: ReturnType<typeof verify>): CheckResult[] => r.results.filter((x) => x.status !== 'pass');
function withCluster(name: string, change: (c: ClusterFacts) => ClusterFacts): Map<string, ClusterFacts> {
  const m = workingMesh();
  m.set(name, change(m.get(name)!));
  return m;
}

describe('verifyMesh', () => {
  it('passes every check of a working primary-remote mesh, per cluster and per link', () => {
    const r = verify(workingMesh());
    expect(failing(r)).toEqual([]);
    expect(r.results.map((x) => `${x.scope} ${x.check}`)).toEqual([
      'cluster1 istiod',
      'cluster1 cacerts',
      'cluster1 east-west-gateway',
      'cluster2 cacerts',
      'cluster2 east-west-gateway',
      'cluster1 → cluster2 remote-address',
      'cluster1 → cluster2 remote-secret',
      'cluster1 reached',
      'cluster1 → cluster2 reached',
    ]);
  });

  it('asks the remote secret of a controlled remote for the controller permissions too', () => {
    expect(permissionsFor(shape, 'cluster1', 'cluster2')).toEqual([...READER_PERMISSIONS, ...CONTROLLER_PERMISSIONS]);
  });

  it('names a remote secret whose token the remote refuses, with the fix', () => {
    const m = withCluster('cluster1', (c) => ({ ...c, remoteSecrets: [{ ...c.remoteSecrets[0]!, identity: 'unauthenticated', permissions: [] }] }));
    const [f] = failing(verify(m));
    expect(f).toMatchObject({ check: 'remote-secret', scope: 'cluster1 → cluster2', status: 'fail' });
    expect(f!.summary).toContain('refuses the credential in Secret istio-remote-secret-cluster2 (401)');
    expect(f!.fix).toContain('recreates the reader token in cluster2');
  });

  it('names the permissions a remote secret lacks', () => {
    const m = withCluster('cluster1', (c) => ({
      ...c,
      remoteSecrets: [{ ...c.remoteSecrets[0]!, permissions: c.remoteSecrets[0]!.permissions.map((p) => (p.resource === 'pods' && p.verb === 'watch' ? { ...p, allowed: false } : p)) }],
    }));
    expect(failing(verify(m)).map((x) => x.summary)).toEqual(['authenticates to cluster2 as system:serviceaccount:istio-system:istio-reader-service-account, who may not watch pods']);
  });

  it('names a missing remote secret', () => {
    const [f] = failing(verify(withCluster('cluster1', (c) => ({ ...c, remoteSecrets: [] }))));
    expect(f).toMatchObject({ check: 'remote-secret', status: 'fail', summary: 'cluster1 holds no Secret istio-system/istio-remote-secret-cluster2: its istiod does not see cluster2' });
  });

  it('names a remote whose install points at an old gateway address', () => {
    const m = withCluster('cluster1', (c) => ({ ...c, eastwestService: gateway('192.0.2.77') }));
    const [f] = failing(verify(m));
    expect(f).toMatchObject({ check: 'remote-address', scope: 'cluster1 → cluster2', summary: "cluster2's install points at 192.0.2.10, but cluster1's east-west gateway is at 192.0.2.77" });
  });

  it('names a cluster whose cacerts chain to another root, and the webhook of the remote no longer holding the mesh root', () => {
    const other = otherRoot.root.certPem;
    const m = withCluster('cluster2', (c) => ({
      ...c,
      cacerts: { 'root-cert.pem': other, 'ca-cert.pem': otherRoot.cas.get('cluster2')!.certPem, 'cert-chain.pem': otherRoot.cas.get('cluster2')!.certPem + other },
    }));
    const [f] = failing(verify(m));
    expect(f).toMatchObject({ check: 'cacerts', scope: 'cluster2', status: 'fail' });
    expect(f!.summary).toMatch(/^cacerts chain to root SHA256:[0-9a-f:]+, not the mesh root SHA256:[0-9a-f:]+ that cluster1 holds$/);
  });

  it('names a cluster istiod has not reached: no caBundle, or no root-cert ConfigMap in istio-system', () => {
    const noBundle = withCluster('cluster2', (c) => ({ ...c, injectors: [injector(undefined, 'https://192.0.2.10:15017/inject')] }));
    expect(failing(verify(noBundle)).map((x) => `${x.scope} ${x.check}: ${x.summary}`)).toEqual([
      'cluster1 → cluster2 reached: the injection webhook in cluster2 has no caBundle: istiod of cluster1 has not reached it',
    ]);
    const noConfigMap = withCluster('cluster2', (c) => ({ ...c, rootCertConfigMaps: [] }));
    expect(failing(verify(noConfigMap))[0]!.summary).toBe("no istio-ca-root-cert with the mesh root in cluster2's istio-system: istiod of cluster1 has not written it");
  });

  it('warns about a namespace without the root-cert ConfigMap, but passes', () => {
    const m = withCluster('cluster2', (c) => ({ ...c, namespaces: [...c.namespaces, 'apps'] }));
    const r = verify(m);
    expect(failing(r).map((x) => [x.status, x.summary])).toEqual([
      ['warn', 'istiod of cluster1 reached cluster2: the injection webhook caBundle holds the mesh root; istio-ca-root-cert in 2 namespaces, missing in apps'],
    ]);
    expect(r.counts).toMatchObject({ fail: 0, warn: 1 });
  });

  it('names an istiod at another version, or not Available', () => {
    expect(failing(verify(withCluster('cluster1', (c) => ({ ...c, istiods: [istiod('1.30.2')] }))))[0]!.summary).toBe(
      'Deployment istio-system/istiod runs docker.io/istio/pilot:1.30.2, not Istio 1.31.0',
    );
    expect(failing(verify(withCluster('cluster1', (c) => ({ ...c, istiods: [istiod('1.31.0', false)] }))))[0]!.summary).toBe('Deployment istio-system/istiod is not Available');
  });

  it('warns 30 days before a CA expires (the fixture issues root and intermediates alike)', () => {
    const expiry = Date.parse(new X509Certificate(trust.cas.get('cluster1')!.certPem).validTo);
    const r = verify(workingMesh(), new Date(expiry - 10 * 86_400_000).toISOString());
    expect(
      failing(r)
        .filter((x) => x.check === 'cacerts')
        .map((x) => [x.scope, x.status, x.summary.slice(0, 40)]),
    ).toEqual([
      ['cluster1', 'warn', 'the intermediate CA expires in 10 days ('],
      ['cluster1', 'warn', 'the root CA expires in 10 days (2035-12-'],
      ['cluster2', 'warn', 'the intermediate CA expires in 10 days ('],
      ['cluster2', 'warn', 'the root CA expires in 10 days (2035-12-'],
    ]);
    expect(r.counts.fail).toBe(0);
  });

  it('reports a cluster it could not read as an error, and skips the checks that need its objects', () => {
    const m = workingMesh();
    m.set('cluster2', { ...cluster('cluster2'), unreachable: 'connect ECONNREFUSED 127.0.0.1:6443' });
    const r = verify(m);
    expect(r.counts.error).toBe(1);
    // The remote secret is cluster1's object, probed on its own: it stays.
    expect(r.results.filter((x) => x.scope.includes('cluster2')).map((x) => `${x.scope} ${x.check} ${x.status}`)).toEqual(['cluster2 cluster error', 'cluster1 → cluster2 remote-secret pass']);
  });
});

describe('revision tags', () => {
  const tagged = guideTopology({ istio: istio('1.31.0', { revision: '1-31-0', revisionTags: ['default'] }) });
  const tagHook = (o: { rev?: string; service?: string; caBundle?: string } = {}) => ({
    ...obj('MutatingWebhookConfiguration', 'istio-revision-tag-default', undefined, {
      webhooks: [
        {
          name: 'rev.namespace.sidecar-injector.istio.io',
          clientConfig: { service: { name: o.service ?? 'istiod-1-31-0' }, ...(o.caBundle === undefined ? { caBundle: 'Y2E=' } : o.caBundle ? { caBundle: o.caBundle } : {}) },
        },
      ],
    }),
    metadata: { name: 'istio-revision-tag-default', labels: { 'istio.io/tag': 'default', 'istio.io/rev': o.rev ?? '1-31-0' } },
  });
  const tagResults = (hooks: Record<string, KubeObject[]>) => {
    const m = workingMesh();
    for (const [c, tagWebhooks] of Object.entries(hooks)) m.set(c, { ...m.get(c)!, tagWebhooks });
    return verifyMesh(tagged, meshShape(tagged), { clusters: m, at: T0.toISOString() })
      .results.filter((x) => x.check === 'revision-tag')
      .map((x) => `${x.scope} ${x.status}: ${x.summary}`);
  };

  it('passes for a tag in every cluster that points at the revision and was patched', () => {
    expect(tagResults({ cluster1: [tagHook()], cluster2: [tagHook()] })).toEqual([
      'cluster1 default pass: revision tag default in cluster1 → 1-31-0, patched by istiod-1-31-0 of cluster1',
      'cluster2 default pass: revision tag default in cluster2 → 1-31-0, patched by istiod-1-31-0 of cluster1',
    ]);
  });

  it('names a missing tag, a tag still on the old revision, and one no istiod patched', () => {
    expect(tagResults({ cluster1: [], cluster2: [tagHook({ rev: '1-30-5', service: 'istiod-1-30-5' })] })).toEqual([
      'cluster1 default fail: no revision tag default (MutatingWebhookConfiguration istio-revision-tag-default) in cluster1',
      'cluster2 default fail: revision tag default in cluster2 points at revision 1-30-5, not 1-31-0',
    ]);
    expect(tagResults({ cluster1: [tagHook({ service: 'istiod-1-30-5' })], cluster2: [tagHook({ caBundle: '' })] })).toEqual([
      'cluster1 default fail: revision tag default in cluster1 does not call istiod-1-31-0',
      'cluster2 default fail: revision tag default in cluster2 has no caBundle: istiod-1-31-0 of cluster1 has not patched it',
    ]);
  });

  it('checks nothing when mesh.yaml declares no tag', () => {
    expect(verify(workingMesh()).results.some((x) => x.check === 'revision-tag')).toBe(false);
  });
});
