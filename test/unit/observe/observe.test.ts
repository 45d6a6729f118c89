// How a plan reads the clusters: one list per kind, and for kinds read by generation (CRDs) a
// metadata-only list when the state vouches for every object, falling back to the full list
// whenever anything about an object is not exactly what meshctl last applied.
import { describe, expect, it } from 'vitest';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import type { KubeObject } from '../../../src/kube/object.js';
import { observe, type Wanted } from '../../../src/observe/observe.js';
import type { ObjectRecord } from '../../../src/state/state.js';

const crdApi = 'apiextensions.k8s.io/v1';
const crd = (name: string, shortNames: string[] = []): KubeObject => ({
  apiVersion: crdApi,
  kind: 'CustomResourceDefinition',
  metadata: { name, labels: { app: 'istio' } },
  spec: { group: 'networking.istio.io', names: { plural: name.split('.')[0], shortNames }, scope: 'Namespaced' },
});

/** The server's copy: what was sent, plus what the server adds. */
const live = (o: KubeObject, generation: number): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, resourceVersion: '42', generation, managedFields: [{ manager: 'meshctl' }] },
  status: { acceptedNames: {} },
});

/** A cluster at the Kubernetes boundary: answers lists, full or metadata-only, and counts them. */
function fakeCluster(objects: KubeObject[]) {
  const calls: string[] = [];
  const client = {
    async list(apiVersion: string, kind: string, _ns?: string, opts: { metadataOnly?: boolean } = {}) {
      calls.push(`${kind}${opts.metadataOnly ? ' (metadata)' : ''}`);
      return objects.filter((o) => o.kind === kind).map((o) => structuredClone(opts.metadataOnly ? { apiVersion, kind, metadata: o.metadata } : o));
    },
  } as unknown as ClusterClient;
  return { client, calls };
}

const record = (o: KubeObject, generation?: number): ObjectRecord => ({
  unit: 'c1/control-plane',
  cluster: 'c1',
  ref: { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name },
  status: 'applied',
  existedBefore: false,
  applied: o,
  ...(generation === undefined ? {} : { generation }),
});
const wanted = (o: KubeObject, rec?: ObjectRecord): Wanted => ({
  cluster: 'c1',
  ref: { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name },
  desired: o,
  ...(rec ? { recorded: rec } : {}),
});
const address = (name: string) => `c1/CustomResourceDefinition.apiextensions.k8s.io/_/${name}`;

describe('observe', () => {
  const a = crd('gateways.networking.istio.io', ['gw']);
  const b = crd('sidecars.networking.istio.io');
  const foreign = crd('widgets.example.com');

  it('reads CRDs the state vouches for by metadata only: live metadata, the spec meshctl sent', async () => {
    const { client, calls } = fakeCluster([live(a, 1), live(b, 3), live(foreign, 7)]);
    const got = await observe(new Map([['c1', client]]), [wanted(a, record(a, 1)), wanted(b, record(b, 3))]);
    expect(calls).toEqual(['CustomResourceDefinition (metadata)']);
    expect(got.objects.get(address(a.metadata.name))).toEqual({ ...a, metadata: { ...a.metadata, uid: 'uid-gateways.networking.istio.io', resourceVersion: '42', generation: 1 } });
    expect([...got.objects.keys()].sort()).toEqual([address(a.metadata.name), address(b.metadata.name)]);
  });

  it('lists in full when a generation moved (someone changed a spec), and shows the real spec', async () => {
    const edited = { ...a, spec: { ...(a.spec as object), names: { plural: 'gateways', shortNames: ['gw', 'drifted'] } } };
    const { client, calls } = fakeCluster([live(edited, 2), live(b, 3)]);
    const got = await observe(new Map([['c1', client]]), [wanted(a, record(a, 1)), wanted(b, record(b, 3))]);
    expect(calls).toEqual(['CustomResourceDefinition (metadata)', 'CustomResourceDefinition']);
    expect((got.objects.get(address(a.metadata.name))!.spec as { names: unknown }).names).toEqual({ plural: 'gateways', shortNames: ['gw', 'drifted'] });
    expect(got.objects.get(address(a.metadata.name))!.status).toEqual({ acceptedNames: {} });
  });

  it('lists in full when mesh.yaml now wants another body, an object has no record, or no generation was recorded', async () => {
    const newer = crd(a.metadata.name, ['gw', 'g']);
    for (const w of [
      [wanted(newer, record(a, 1)), wanted(b, record(b, 3))],
      [wanted(a, record(a, 1)), wanted(b)],
      [wanted(a, record(a)), wanted(b, record(b, 3))],
    ]) {
      const { client, calls } = fakeCluster([live(a, 1), live(b, 3)]);
      const got = await observe(new Map([['c1', client]]), w);
      expect(calls).toEqual(['CustomResourceDefinition']);
      expect(got.objects.get(address(a.metadata.name))!.status).toEqual({ acceptedNames: {} });
    }
  });

  it('lists in full when the state holds an object mesh.yaml no longer wants (it is to be deleted)', async () => {
    const { client, calls } = fakeCluster([live(a, 1), live(b, 3)]);
    const gone: Wanted = { cluster: 'c1', ref: { apiVersion: crdApi, kind: 'CustomResourceDefinition', name: b.metadata.name }, recorded: record(b, 3) };
    await observe(new Map([['c1', client]]), [wanted(a, record(a, 1)), gone]);
    expect(calls).toEqual(['CustomResourceDefinition']);
  });

  it('tells a CRD deleted by someone else as absent', async () => {
    const { client } = fakeCluster([live(b, 3)]);
    const got = await observe(new Map([['c1', client]]), [wanted(a, record(a, 1)), wanted(b, record(b, 3))]);
    expect(got.objects.has(address(a.metadata.name))).toBe(false);
    expect(got.objects.has(address(b.metadata.name))).toBe(true);
  });
});
