// A cluster that already serves part of Istio's API group: the Gateway CRD is there (as an
// interrupted apply, or an earlier Istio, leaves it), the VirtualService CRD is not. The plan
// discovers networking.istio.io/v1 without VirtualService; the apply then installs that CRD and
// must find the kind when it applies istiod's VirtualService (it once said "not served" and
// stopped). Destroy is not exercised here: releasing a CRD that was there before meshctl fails
// (docs/architecture.md, "Apply, interrupted apply, destroy"); the reset removes it.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eKubectl, eventually, kubeConfig } from '../harness/e2e.js';
import { meshctl } from './support/meshctl.js';
import { resetClusters } from '../harness/reset.js';
import { freshMeshDir } from './support/mesh-dir.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const api = () => k8s.KubernetesObjectApi.makeApiClient(kubeConfig('cluster1'));
const crdRef = (name: string) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } });

/** Just enough of Istio's Gateway CRD for the API server to serve networking.istio.io/v1. */
const gatewayCrd = {
  ...crdRef('gateways.networking.istio.io'),
  spec: {
    group: 'networking.istio.io',
    scope: 'Namespaced',
    names: { kind: 'Gateway', plural: 'gateways', singular: 'gateway', listKind: 'GatewayList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

describe('apply on a cluster that serves part of an Istio API group', () => {
  let dir: string;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });

  beforeAll(async () => {
    dir = await freshMeshDir({ prefix: 'partial', mesh: example, clusters: ['cluster1', 'cluster2'] });
    await api().create(gatewayCrd);
    await eventually('the Gateway CRD to be served', async () => {
      const crd = (await api().read(crdRef('gateways.networking.istio.io'))) as { status?: { conditions?: Array<{ type: string; status: string }> } };
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await resetClusters(e2eKubectl(), ['cluster1', 'cluster2']);
  });

  it("applies istiod's VirtualService once its CRD is installed, though the plan found the group without it", async () => {
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Created VirtualService.networking.istio.io/istio-system/istiod-vs');
    expect(await api().read({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'istiod-vs', namespace: 'istio-system' } })).toBeTruthy();
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});
