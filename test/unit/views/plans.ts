// The plans the view goldens render, built through the real planner from fixtures, so a
// golden shows what a user would see for that situation.
import type { Plan } from '../../../src/planner/plan.js';
import {
  addressIn,
  configMap,
  crd,
  deployment,
  gateway,
  live,
  liveMap,
  mutatingWebhook,
  namespace,
  planOf,
  secret,
  service,
  serviceAccount,
  stateAfterApply,
  unit,
  unknown,
  withField,
} from '../support/mesh-fixtures.js';

const c1ns = unit({ cluster: 'cluster1', kind: 'namespace', objects: [namespace()] });
const c1cacerts = unit({ cluster: 'cluster1', kind: 'cacerts', dependsOn: ['cluster1/namespace'], objects: [secret('cacerts', { 'ca-key.pem': 'KEY' })] });
const c1cp = unit({
  cluster: 'cluster1',
  kind: 'control-plane',
  dependsOn: ['cluster1/cacerts'],
  objects: [crd(), serviceAccount(), configMap(), deployment(), service(), mutatingWebhook()],
});
const c1ew = unit({ cluster: 'cluster1', kind: 'expose-services', dependsOn: ['cluster1/control-plane'], objects: [gateway()] });
const c2ns = unit({ cluster: 'cluster2', kind: 'namespace', objects: [namespace('istio-system', { 'topology.istio.io/network': 'network2' })] });
const remoteSecret = withField(withField(secret('istio-remote-secret-cluster2', {}), 'metadata.annotations', { 'networking.istio.io/cluster': 'cluster2' }), 'data', {
  cluster2: unknown('cluster2/remote-reader', 'token', true),
});
const c1remote = unit({ cluster: 'cluster1', kind: 'remote-secret', id: 'cluster1/remote-secret/cluster2', dependsOn: ['cluster1/control-plane', 'cluster2/namespace'], objects: [remoteSecret] });
const guide = [c1ns, c1cacerts, c1cp, c1ew, c2ns, c1remote];

export function guideCreatePlan(): Plan {
  return planOf({ units: guide });
}

function allLive(units: typeof guide) {
  return new Map(
    units.flatMap((u) => [
      ...liveMap(
        u.cluster,
        u.objects.map((o) => live(o)),
      ),
    ]),
  );
}

export function noChangesPlan(): Plan {
  const units = [c1ns, c1cp];
  return planOf({ units, live: allLive(units), prior: stateAfterApply(units) });
}

export function updatePlan(): Plan {
  const units = [c1ns, c1cp];
  const l = allLive(units);
  // Someone scaled istiod's CPU down by hand; mesh.yaml now asks for a second network label.
  l.set(addressIn('cluster1', deployment()), live(deployment('istiod', { cpu: '100m' })));
  const wantedNs = unit({ cluster: 'cluster1', kind: 'namespace', objects: [namespace('istio-system', { 'topology.istio.io/network': 'network1', team: 'mesh' })] });
  return planOf({ units: [wantedNs, c1cp], live: l, prior: stateAfterApply(units) });
}

export function destroyPlan(): Plan {
  const units = [c1ns, c1cacerts, c1ew];
  const prior = stateAfterApply(units, { records: { [addressIn('cluster1', namespace())]: { existedBefore: true } } });
  return planOf({ mode: 'destroy', units, live: allLive(units), prior });
}

export function refreshOnlyPlan(): Plan {
  const units = [c1ns, c1cp, c2ns];
  const l = allLive(units);
  l.delete(addressIn('cluster2', namespace()));
  l.set(addressIn('cluster1', configMap()), live(configMap('istio', { mesh: 'edited by hand' })));
  return planOf({ mode: 'refresh-only', units, live: l, prior: stateAfterApply(units) });
}

export function knownAfterApplyPlan(): Plan {
  const cm = (v: unknown) => withField(configMap('istio-remote', { mesh: 'x' }), 'data.remotePilotAddress', v);
  const units = [unit({ cluster: 'cluster2', kind: 'control-plane', dependsOn: ['cluster1/eastwest-gateway'], objects: [cm(unknown('cluster1/eastwest-gateway', 'address'))] })];
  return planOf({ units, live: liveMap('cluster2', [live(cm('172.18.0.10'))]) });
}

export const viewCases: Record<string, () => Plan> = {
  'no-changes': noChangesPlan,
  'guide-create': guideCreatePlan,
  update: updatePlan,
  destroy: destroyPlan,
  'refresh-only': refreshOnlyPlan,
  'known-after-apply': knownAfterApplyPlan,
};
