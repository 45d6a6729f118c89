// Secret values never reach a plan, the state file or the plan view: build each from objects
// holding Secret data and a reader token, serialise it, and scan the text for the raw values
// in every spelling they could take (plain, base64).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/object.js';
import { renderPlanHuman } from '../../../src/views/plan-human.js';
import { addressIn, live, liveMap, namespace, planOf, secret, stateAfterApply, unit, withField } from '../support/mesh-fixtures.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { applyOnce, meshOf, observe, tempStateFile } from './harness.js';

const token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InJlYWRlciJ9.reader-token-value';
const caKey = `-----BEGIN ${'PRIVATE'} KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ${'PRIVATE'} KEY-----\n`; /* a fake, not a key */
const kubeconfig = `apiVersion: v1\nkind: Config\nusers:\n- name: cluster2\n  user:\n    token: ${token}\n`;
const secrets = [token, caKey, kubeconfig, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'];

function expectNoSecrets(what: string, text: string): void {
  for (const s of secrets) {
    for (const spelling of [s, Buffer.from(s).toString('base64'), JSON.stringify(s).slice(1, -1)]) {
      expect(text.includes(spelling), `${what} contains a secret value`).toBe(false);
    }
  }
}

const cacertsSecret = secret('cacerts', { 'ca-key.pem': caKey });
const remoteSecret = withField(secret('istio-remote-secret-cluster2', { cluster2: kubeconfig }), 'metadata.annotations', { 'networking.istio.io/cluster': 'cluster2' });

/** The guide's way: `istioctl create-remote-secret | kubectl apply -f -` keeps the whole Secret in an annotation. */
function kubectlApplied(o: KubeObject): KubeObject {
  return withField(o, 'metadata.annotations', { ...o.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) });
}

describe('secrecy', () => {
  const mesh = meshOf([
    { unit: unit({ kind: 'namespace' }), objects: [namespace()] },
    { unit: unit({ kind: 'cacerts', dependsOn: ['cluster1/namespace'] }), objects: [cacertsSecret] },
    { unit: unit({ kind: 'remote-secret', id: 'cluster1/remote-secret/cluster2', dependsOn: ['cluster1/namespace'] }), objects: [remoteSecret] },
  ]);

  it('keeps them out of create, update, noop and destroy plans and their rendering', () => {
    const changedLive = liveMap('cluster1', [live(namespace()), live(secret('cacerts', { 'ca-key.pem': 'old key' })), live(kubectlApplied(remoteSecret))]);
    const plans = {
      create: planOf({ units: mesh.units }),
      update: planOf({ units: mesh.units, live: changedLive, prior: stateAfterApply(mesh.units) }),
      destroy: planOf({ mode: 'destroy', units: mesh.units, live: changedLive, prior: stateAfterApply(mesh.units) }),
      refresh: planOf({ mode: 'refresh-only', units: mesh.units, live: changedLive, prior: stateAfterApply(mesh.units) }),
    };
    expect(plans.update.summary.change).toBe(1);
    for (const [name, plan] of Object.entries(plans)) {
      expectNoSecrets(`${name} plan JSON`, JSON.stringify(plan));
      expectNoSecrets(`${name} plan view`, renderPlanHuman(plan, { color: false }));
    }
  });

  it('keeps them out of a destroy plan for an object whose apply never completed', () => {
    // An apply was interrupted after adopting the guide's kubectl-applied remote secret: the
    // state has only a pending record (nothing applied), so the plan only has the live object.
    const addr = addressIn('cluster1', remoteSecret);
    const prior = stateAfterApply(mesh.units, { records: { [addr]: { status: 'pending', applied: undefined, existedBefore: true } } });
    const l = liveMap('cluster1', [live(namespace()), live(cacertsSecret), live(kubectlApplied(remoteSecret))]);
    for (const mode of ['destroy', 'apply'] as const) {
      const units = mode === 'apply' ? mesh.units.filter((u) => u.kind !== 'remote-secret') : mesh.units;
      const plan = planOf({ mode, units, live: l, prior });
      expect(plan.changes.find((c) => c.address === addr)!.action).toBe('forget');
      expectNoSecrets(`${mode} plan JSON`, JSON.stringify(plan));
      expectNoSecrets(`${mode} plan view`, renderPlanHuman(plan, { color: false }));
    }
  });

  it('keeps them out of the state file an apply writes', async () => {
    const stateFile = tempStateFile();
    const c1 = new FakeCluster('cluster1');
    const run = await applyOnce({ mesh, fakes: [c1], stateFile });
    expect(run.result.failed).toEqual([]);
    // The cluster does hold them (the scan would be meaningless otherwise).
    expect(JSON.stringify([...c1.objects.values()])).toContain(Buffer.from(kubeconfig).toString('base64'));
    expectNoSecrets('state file', readFileSync(stateFile, 'utf8'));
    expectNoSecrets('plan after apply', JSON.stringify(planOf({ units: mesh.units, live: observe([c1]), prior: run.journal.state })));
  });
});
