// Effect `deployments`, in place of the deployment and replicaset controllers and running pods:
// each Deployment gets a ReplicaSet (controller owner reference, pod-template-hash label and
// selector, the Deployment's template) whose status counts every replica as ready, and a
// Deployment status as the controller reports a finished rollout (observedGeneration,
// replicas/updated/ready/available, Available and Progressing conditions). That is exactly what
// `istioctl install` waits for (operator/pkg/install/wait.go: the newest ReplicaSet whose
// template equals the Deployment's, found through kubectl's GetAllReplicaSets, must have
// readyReplicas >= spec.replicas) and what `kubectl rollout status` reads. No Pods are created.
import { createHash } from 'node:crypto';
import type { AppsV1Api, V1Deployment, V1DeploymentCondition, V1DeploymentStatus, V1ReplicaSet } from '@kubernetes/client-node';
import type { EffectOn, Emit } from './effects.js';

const HASH_LABEL = 'pod-template-hash';
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Stable hash of a pod template (not bit-identical to the controller's fnv32a, same shape). */
function podTemplateHash(template: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  const digest = createHash('sha256')
    .update(JSON.stringify(canonical(template)))
    .digest();
  return Array.from(digest.subarray(0, 10), (b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length]).join('');
}

const isOwnedBy = (rs: V1ReplicaSet, d: V1Deployment) => (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata?.uid);

function condition(existing: V1DeploymentCondition[] | undefined, wanted: { type: string; reason: string; message: string }): V1DeploymentCondition {
  const old = existing?.find((c) => c.type === wanted.type);
  const now = new Date();
  const unchanged = old?.status === 'True' && old.reason === wanted.reason && old.message === wanted.message;
  return {
    ...wanted,
    status: 'True',
    lastUpdateTime: unchanged ? old.lastUpdateTime : now,
    lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now,
  };
}

function rolledOutStatus(d: V1Deployment, rsName: string): V1DeploymentStatus {
  const n = d.spec?.replicas ?? 1;
  const conditions = d.status?.conditions;
  return {
    observedGeneration: d.metadata?.generation,
    replicas: n,
    updatedReplicas: n,
    readyReplicas: n,
    availableReplicas: n,
    conditions: [
      condition(conditions, { type: 'Available', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }),
      condition(conditions, { type: 'Progressing', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }),
    ],
  };
}

function statusDone(d: V1Deployment, want: V1DeploymentStatus): boolean {
  const s = d.status ?? {};
  const fields = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const;
  const conditionsOk = (want.conditions ?? []).every((w) => s.conditions?.some((c) => c.type === w.type && c.status === 'True' && c.reason === w.reason && c.message === w.message));
  return conditionsOk && fields.every((f) => (s[f] ?? 0) === (want[f] ?? 0)) && !s.unavailableReplicas;
}

export function isDeploymentAvailable(d: V1Deployment): boolean {
  return (d.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
}

/** Brings every Deployment the effect may touch to "rollout complete". */
export async function rollOutDeployments(apps: AppsV1Api, on: EffectOn, emit: Emit): Promise<void> {
  const [deployments, replicaSets] = await Promise.all([apps.listDeploymentForAllNamespaces(), apps.listReplicaSetForAllNamespaces()]);
  for (const d of deployments.items) {
    if (d.metadata?.deletionTimestamp || !on('deployments', d.metadata?.namespace ?? '')) continue;
    await rollOut(
      apps,
      d,
      replicaSets.items.filter((rs) => isOwnedBy(rs, d)),
      emit,
    );
  }
}

/** Brings one Deployment to "rollout complete", touching only what differs. */
async function rollOut(apps: AppsV1Api, d: V1Deployment, owned: V1ReplicaSet[], emit: Emit): Promise<void> {
  const namespace = d.metadata!.namespace!;
  const replicas = d.spec?.replicas ?? 1;
  const hash = podTemplateHash(d.spec?.template);
  let current = owned.find((rs) => rs.metadata?.labels?.[HASH_LABEL] === hash);
  for (const old of owned.filter((rs) => rs !== current && rs.spec?.replicas !== 0)) {
    // A changed template: the real controller scales the previous ReplicaSet down to zero.
    old.spec = { ...old.spec!, replicas: 0 };
    const scaled = await apps.replaceNamespacedReplicaSet({ name: old.metadata!.name!, namespace, body: old });
    scaled.status = { replicas: 0, observedGeneration: scaled.metadata?.generation };
    await apps.replaceNamespacedReplicaSetStatus({ name: old.metadata!.name!, namespace, body: scaled });
  }
  if (!current) {
    const revision = 1 + Math.max(0, ...owned.map((rs) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0)));
    const template = structuredClone(d.spec!.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
    const selector = d.spec!.selector;
    current = await apps.createNamespacedReplicaSet({
      namespace,
      body: {
        metadata: {
          name: `${d.metadata!.name}-${hash}`,
          namespace,
          labels: template.metadata.labels,
          annotations: { 'deployment.kubernetes.io/revision': String(revision) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas, selector: { ...selector, matchLabels: { ...selector.matchLabels, [HASH_LABEL]: hash } }, template },
      },
    });
    emit('deployments', `ReplicaSet ${namespace}/${current.metadata?.name} created for Deployment ${d.metadata?.name}`);
  } else if (current.spec?.replicas !== replicas) {
    current.spec = { ...current.spec!, replicas };
    current = await apps.replaceNamespacedReplicaSet({ name: current.metadata!.name!, namespace, body: current });
  }
  const rsStatus = current.status;
  if (rsStatus?.readyReplicas !== replicas || rsStatus.observedGeneration !== current.metadata?.generation || rsStatus.replicas !== replicas) {
    current.status = { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: current.metadata?.generation };
    await apps.replaceNamespacedReplicaSetStatus({ name: current.metadata!.name!, namespace, body: current });
  }
  const want = rolledOutStatus(d, current.metadata!.name!);
  if (!statusDone(d, want)) {
    d.status = want;
    await apps.replaceNamespacedDeploymentStatus({ name: d.metadata!.name!, namespace, body: d });
    emit('deployments', `Deployment ${namespace}/${d.metadata?.name} Available (${replicas} replicas)`);
  }
}
