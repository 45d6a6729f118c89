// ClusterClient against a real API server, for what the fake at the Kubernetes boundary cannot
// show: how the server merges meshctl's writes. annotate (used by destroy to wake a stalled CRD
// finalizer, src/executors/wait.ts) must add one annotation and leave every field meshctl
// applied, and meshctl's ownership of them, as it was. And the server's "come back in a second"
// while a CRD's storage restarts, which a plan right after an apply that changed a CRD meets.
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/kube/connect.js';
import type { KubeObject } from '../../src/kube/object.js';
import { e2eEnvironment, uniqueName } from '../harness/e2e.js';

const client = () => connect({ cluster: 'cluster1', context: 'cluster1', env: { KUBECONFIG: e2eEnvironment().kubeconfigPath, MESHCTL_DISCOVERY_CACHE: 'off' } });

describe('ClusterClient on a real API server', () => {
  const name = uniqueName('annotated');
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name };
  const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { app: 'meshctl-test' } }, data: { mesh: 'mesh1' } };
  afterAll(async () => {
    await client().remove(ref);
  });

  it("annotate adds one annotation and keeps what meshctl applied, and meshctl's ownership of it", async () => {
    const c = client();
    await c.apply(configMap);
    expect(await c.annotate(ref, 'meshctl.io/finalizer-retry', '1')).toBe('annotated');
    const live = (await c.read(ref))!;
    expect(live.metadata.annotations).toEqual({ 'meshctl.io/finalizer-retry': '1' });
    expect(live.metadata.labels).toEqual({ app: 'meshctl-test' });
    expect(live.data).toEqual({ mesh: 'mesh1' });
    const managers = (live.metadata.managedFields as Array<{ manager: string; operation: string; fieldsV1: Record<string, unknown> }>).map((m) => [m.manager, m.operation, JSON.stringify(m.fieldsV1)]);
    // meshctl's apply still owns data and labels; the annotation is an Update of its own.
    expect(managers.find(([m, op]) => m === 'meshctl' && op === 'Apply')?.[2]).toContain('"f:data"');
    expect(managers.some(([, op, fields]) => op === 'Update' && fields!.includes('finalizer-retry'))).toBe(true);

    // The next apply of the same object leaves the annotation: it is not a field meshctl applies.
    await c.apply(configMap);
    expect((await c.read(ref))!.metadata.annotations).toEqual({ 'meshctl.io/finalizer-retry': '1' });
  });

  it('annotate of an object that is gone says so instead of failing', async () => {
    expect(await client().annotate({ ...ref, name: uniqueName('absent') }, 'meshctl.io/finalizer-retry', '1')).toBe('absent');
  });
});

describe("ClusterClient while a CRD's storage restarts", () => {
  const group = `${uniqueName('retry')}.example.com`;
  const crdRef = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `widgets.${group}` };
  const crd = (shortName: string): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdRef.name },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets', shortNames: [shortName] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
  afterAll(async () => {
    await client().remove(crdRef);
  });

  it('lists the custom resources right after their CRD changed, waiting out the 429 the server answers meanwhile', async () => {
    const c = client();
    await c.apply(crd('w0'));
    for (let i = 0; i < 100; i++) {
      const conditions = ((await c.read(crdRef))?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
      if (conditions.some((x) => x.type === 'Established' && x.status === 'True')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // A change of the CRD's names restarts its storage; a list sent at once is answered with
    // 429 "storage is (re)initializing", Retry-After: 1 (most rounds here; a round can miss the
    // window). Every list must still succeed; at least one round must have met the 429, or this
    // test would not show the retry.
    for (let round = 1; round <= 10 && c.retries === 0; round++) {
      await c.apply(crd(`w${round}`));
      expect(await c.list(`${group}/v1`, 'Widget')).toEqual([]);
    }
    expect(c.retries).toBeGreaterThan(0);
  });
});
