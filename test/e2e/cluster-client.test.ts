// ClusterClient against a real API server, for what the fake at the Kubernetes boundary cannot
// show: how the server merges meshctl's writes. annotate (used by destroy to wake a stalled CRD
// finalizer, src/executors/wait.ts) must add one annotation and leave every field meshctl
// applied, and meshctl's ownership of them, as it was.
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

  it('annotate adds one annotation and keeps what meshctl applied, and meshctl\'s ownership of it', async () => {
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
