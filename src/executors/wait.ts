// Waiting for what must be ready before dependants start (kapp's wait rules): polls the
// object, reports progress every 10 s, and fails after a timeout saying what it waited for
// and what it last saw, so a stuck apply explains itself.
import { DiagnosticsError, error } from '../diagnostics.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { KubeObject } from '../kube/object.js';
import type { WaitFor } from '../model/desired.js';
import { CRD_WAKE_AFTER_MS, CRD_WAKE_ANNOTATION } from '../model/names.js';
import { loadBalancerAddress } from '../kube/object.js';
import { describeWait } from '../model/wait-words.js';
import { throwIfInterrupted } from './interrupted.js';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly onProgress: (elapsedMs: number) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Aborted: the wait ends with Interrupted at its next check. */
  readonly signal?: AbortSignal;
}

type Check = {
  readonly done: boolean;
  readonly seen: string;
  /** 'gone' waits: the objects still there. */
  readonly left?: readonly KubeObject[];
  /** It will not become true by waiting (a rollout past its deadline): stop now, saying why. */
  readonly failed?: string;
};

async function check(client: ClusterClient, w: WaitFor): Promise<Check> {
  switch (w.kind) {
    case 'deployment-available': {
      const d = await client.read({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: w.namespace, name: w.name });
      if (!d) return { done: false, seen: 'Deployment not found' };
      return deploymentCheck(d);
    }
    case 'loadbalancer-address': {
      const s = await client.read({ apiVersion: 'v1', kind: 'Service', namespace: w.namespace, name: w.name });
      const a = loadBalancerAddress(s ?? undefined);
      return { done: Boolean(a), seen: s ? (a ? `address ${a}` : 'no ingress address yet (pending)') : 'Service not found' };
    }
    case 'crds-established': {
      const pending: string[] = [];
      for (const name of w.names) {
        const crd = await client.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
        if (!crd || !hasCondition(crd, 'Established')) pending.push(name);
      }
      return { done: pending.length === 0, seen: pending.length ? `not established: ${pending.join(', ')}` : 'all established' };
    }
    case 'webhook-cabundle': {
      const wh = await client.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', name: w.name });
      if (!wh) return { done: false, seen: 'webhook configuration not found' };
      const hooks = (wh as { webhooks?: { clientConfig?: { caBundle?: string } }[] }).webhooks ?? [];
      const missing = hooks.filter((h) => !h.clientConfig?.caBundle).length;
      return { done: hooks.length > 0 && missing === 0, seen: `${missing} of ${hooks.length} webhooks without caBundle` };
    }
    case 'token-populated': {
      const s = await client.read({ apiVersion: 'v1', kind: 'Secret', namespace: w.namespace, name: w.name });
      const has = Boolean((s as { data?: { token?: string } } | null)?.data?.token);
      return { done: has, seen: s ? (has ? 'token present' : 'token not filled yet') : 'Secret not found' };
    }
    case 'gone': {
      const left: KubeObject[] = [];
      for (const ref of w.refs) {
        const o = await client.read(ref);
        if (o) left.push(o);
      }
      return { done: left.length === 0, seen: left.length ? `still there (finalizers pending?): ${left.map((o) => o.metadata.name).join(', ')}` : 'gone', left };
    }
  }
}

function hasCondition(o: KubeObject, type: string): boolean {
  const conds = (o as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
  return conds.some((c) => c.type === type && c.status === 'True');
}

/**
 * `kubectl rollout status` for a Deployment (kubectl's DeploymentStatusViewer,
 * pkg/polymorphichelpers/rollout_status.go): the controller has observed the latest spec, every
 * replica is updated to it, no old replica is left, and every updated replica is available. An
 * `Available` condition alone is not enough: during a rolling update the old pods keep it true.
 * A rollout past its progress deadline fails at once, as kubectl's does.
 */
export function deploymentCheck(d: KubeObject): Check {
  const gen = (d.metadata as { generation?: number }).generation ?? 0;
  const st = (d as { status?: DeploymentStatus }).status ?? {};
  if ((st.observedGeneration ?? -1) < gen) return { done: false, seen: 'the controller has not observed the latest spec yet' };
  const progressing = (st.conditions ?? []).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      seen: 'past its progress deadline',
      failed: `the rollout exceeded its progress deadline (spec.progressDeadlineSeconds)${progressing.message ? `: ${progressing.message}` : ''}`,
    };
  }
  // The API server defaults spec.replicas to 1.
  const want = (d as { spec?: { replicas?: number } }).spec?.replicas ?? 1;
  const replicas = st.replicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  if (updated < want) return { done: false, seen: `${updated} of ${want} new replicas updated` };
  if (replicas > updated) return { done: false, seen: `${replicas - updated} old replica${replicas - updated === 1 ? '' : 's'} pending termination` };
  if (available < updated) return { done: false, seen: `${available} of ${updated} updated replicas available` };
  return { done: true, seen: 'rolled out' };
}

interface DeploymentStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly availableReplicas?: number;
  readonly conditions?: readonly { readonly type: string; readonly reason?: string; readonly message?: string }[];
}

export async function waitFor(client: ClusterClient, w: WaitFor, opts: WaitOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  let lastReport = start;
  const nudge = finalizerNudge(client, now);
  for (;;) {
    const c = await check(client, w);
    if (c.done) return;
    if (c.failed) {
      throw new DiagnosticsError([
        error(
          'Rollout failed',
          `In cluster "${client.cluster}", ${describeWait(w)}: ${c.failed}. Nothing after this step was done; see kubectl describe deployment, fix the cause, and run the same command again (it resumes).`,
        ),
      ]);
    }
    for (const o of c.left ?? []) await nudge(o);
    throwIfInterrupted(opts.signal);
    const t = now();
    if (t - start >= opts.timeoutMs) {
      throw new DiagnosticsError([
        error(
          'Timed out waiting',
          `Waited ${Math.round((t - start) / 1000)}s in cluster "${client.cluster}" for ${describeWait(w)}; last seen: ${c.seen}. Nothing after this step was done; run the same command again once the cause is fixed (it resumes), or raise --wait-timeout.`,
        ),
      ]);
    }
    if (t - lastReport >= 10_000) {
      lastReport = t;
      opts.onProgress(t - start);
    }
    await sleep(opts.intervalMs ?? 500);
  }
}

/**
 * For a deleted CRD whose finalizer stalled (see below): an annotation every few seconds
 * queues it again. Anything else is left alone.
 */
function finalizerNudge(client: ClusterClient, now: () => number): (o: KubeObject) => Promise<void> {
  const woken = new Map<string, { at: number; count: number }>();
  const start = now();
  return async (o) => {
    if (o.kind !== 'CustomResourceDefinition' || !crdFinalizerStalled(o)) return;
    const last = woken.get(o.metadata.name) ?? { at: start, count: 0 };
    if (now() - last.at < CRD_WAKE_AFTER_MS) return;
    const next = { at: now(), count: last.count + 1 };
    woken.set(o.metadata.name, next);
    await client.annotate({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: o.metadata.name }, CRD_WAKE_ANNOTATION, String(next.count));
  };
}

/**
 * Kubernetes 1.35's CRD finalizer (apiextensions-apiserver, crd_finalizer.go) can drop a CRD
 * deleted soon after it was created or changed until its informer resyncs, minutes later; its
 * Terminating condition then says InstanceDeletionFailed. Any change to the CRD queues it again.
 * How it stalls: docs/architecture.md, "Apply, interrupted apply, destroy".
 */

function crdFinalizerStalled(crd: KubeObject): boolean {
  const conditions = (crd.status as { conditions?: { type?: string; status?: string; reason?: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Terminating' && c.status === 'True' && c.reason === 'InstanceDeletionFailed');
}
