// Waits with an injected clock: no real sleeping. Each check reads the fake cluster; time
// moves only when the wait sleeps.
import { describe, expect, it } from 'vitest';
import { deploymentCheck, waitFor } from '../../../src/executors/wait.js';
import { Interrupted } from '../../../src/executors/interrupted.js';
import { CRD_WAKE_ANNOTATION } from '../../../src/model/names.js';
import { describeWait } from '../../../src/model/wait-words.js';
import { objectAddress, type KubeObject } from '../../../src/kube/object.js';
import type { WaitFor } from '../../../src/model/desired.js';
import { deployment, mutatingWebhook, secret, service, withField } from '../support/mesh-fixtures.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { failure } from '../support/failure.js';

function clock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps, elapsed: () => t - 1_000_000 };
}

const istiodAvailable: WaitFor = { kind: 'deployment-available', namespace: 'istio-system', name: 'istiod' };
const rolledOut = { observedGeneration: 0, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] };

describe('waitFor', () => {
  it('times out with what it waited for and what it last saw, reporting progress every 10s', async () => {
    const c = new FakeCluster('c1');
    c.seed(withField(deployment(), 'status', { observedGeneration: 0, conditions: [{ type: 'Available', status: 'False' }] }));
    const k = clock();
    const progress: number[] = [];
    const message = await failure(waitFor(c.asClient(), istiodAvailable, { timeoutMs: 30_000, intervalMs: 5_000, onProgress: (ms) => progress.push(ms), ...k }));
    expect(message).toBe(
      'Timed out waiting: Waited 30s in cluster "c1" for Deployment istio-system/istiod rolled out; last seen: 0 of 1 new replicas updated. Nothing after this step was done; run the same command again once the cause is fixed (it resumes), or raise --wait-timeout.',
    );
    expect(progress).toEqual([10_000, 20_000]);
    expect(k.elapsed()).toBe(30_000);
  });

  it('ends with Interrupted at its next check once the apply is interrupted, not at the timeout', async () => {
    const c = new FakeCluster('c1');
    const k = clock();
    const abort = new AbortController();
    const sleep = async (ms: number) => {
      await k.sleep(ms);
      abort.abort();
    };
    await expect(waitFor(c.asClient(), istiodAvailable, { timeoutMs: 60_000, onProgress: () => undefined, now: k.now, sleep, signal: abort.signal })).rejects.toBeInstanceOf(Interrupted);
    expect(k.sleeps).toEqual([500]);
  });

  it('returns as soon as the condition holds', async () => {
    const c = new FakeCluster('c1');
    const k = clock();
    let checks = 0;
    const sleep = async (ms: number) => {
      await k.sleep(ms);
      // The controller makes istiod available after the second check.
      if (++checks === 2) c.seed(withField(deployment(), 'status', rolledOut));
    };
    await waitFor(c.asClient(), istiodAvailable, { timeoutMs: 60_000, onProgress: () => undefined, now: k.now, sleep });
    expect(k.sleeps).toEqual([500, 500]);
  });

  it.each<[string, WaitFor, (c: FakeCluster) => void, string]>([
    ['a missing Deployment', istiodAvailable, () => undefined, 'Deployment not found'],
    [
      'a LoadBalancer without address',
      { kind: 'loadbalancer-address', namespace: 'istio-system', name: 'istio-eastwestgateway' },
      (c) => c.seed(withField(service('istio-eastwestgateway'), 'status', { loadBalancer: {} })),
      'no ingress address yet (pending)',
    ],
    ['a webhook istiod has not patched', { kind: 'webhook-cabundle', name: 'istio-sidecar-injector' }, (c) => c.seed(mutatingWebhook()), '1 of 1 webhooks without caBundle'],
    [
      'a token Secret the controller has not filled',
      { kind: 'token-populated', namespace: 'istio-system', name: 'istio-reader-token' },
      (c) => c.seed(secret('istio-reader-token', {})),
      'token not filled yet',
    ],
  ])('says what it last saw for %s', async (_name, w, setup, seen) => {
    const c = new FakeCluster('c1');
    setup(c);
    const message = await failure(waitFor(c.asClient(), w, { timeoutMs: 0, onProgress: () => undefined, ...clock() }));
    expect(message).toContain(`for ${describeWait(w)}; last seen: ${seen}.`);
  });

  it.each<[string, WaitFor, (c: FakeCluster) => void]>([
    [
      'a LoadBalancer address',
      { kind: 'loadbalancer-address', namespace: 'istio-system', name: 'gw' },
      (c) => c.seed(withField(service('gw'), 'status', { loadBalancer: { ingress: [{ hostname: 'gw.example' }] } })),
    ],
    ['a patched webhook', { kind: 'webhook-cabundle', name: 'istio-sidecar-injector' }, (c) => c.seed(mutatingWebhook(undefined, 'Q0E='))],
    ['a filled token', { kind: 'token-populated', namespace: 'istio-system', name: 't' }, (c) => c.seed(secret('t', { token: 'x' }))],
  ])('is satisfied immediately by %s', async (_name, w, setup) => {
    const c = new FakeCluster('c1');
    setup(c);
    const k = clock();
    await waitFor(c.asClient(), w, { timeoutMs: 0, onProgress: () => undefined, ...k });
    expect(k.sleeps).toEqual([]);
  });

  it('does not call a Deployment rolled out before its controller observed the latest generation', () => {
    const d = withField(withField(deployment(), 'metadata.generation', 3), 'status', { ...rolledOut, observedGeneration: 2 });
    expect(deploymentCheck(d)).toEqual({ done: false, seen: 'the controller has not observed the latest spec yet' });
  });
});

describe('a Deployment rolled out, as kubectl rollout status says', () => {
  const at = (status: Record<string, unknown>, replicas = 2) => withField(withField(deployment(), 'spec.replicas', replicas), 'status', { observedGeneration: 0, ...status });
  const available = [{ type: 'Available', status: 'True' }];

  it.each<[string, Record<string, unknown>, string]>([
    // Mid rolling update the old pods keep Available true: that alone is not rolled out.
    ['1 of 2 replicas updated', { replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: available }, '1 of 2 new replicas updated'],
    ['old replicas left', { replicas: 3, updatedReplicas: 2, availableReplicas: 2, conditions: available }, '1 old replica pending termination'],
    ['updated replicas not yet available', { replicas: 2, updatedReplicas: 2, availableReplicas: 1, conditions: available }, '1 of 2 updated replicas available'],
  ])('waits while %s', (_name, status, seen) => {
    expect(deploymentCheck(at(status))).toEqual({ done: false, seen });
  });

  it('is rolled out when every replica is updated and available and no old one is left', () => {
    expect(deploymentCheck(at({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toEqual({ done: true, seen: 'rolled out' });
  });

  it('fails at once, without waiting out the timeout, when the rollout is past its progress deadline', async () => {
    const c = new FakeCluster('c1');
    const message = 'ReplicaSet "istiod-7f9c" has timed out progressing.';
    c.seed(at({ replicas: 2, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message }] }));
    const k = clock();
    const text = await failure(waitFor(c.asClient(), istiodAvailable, { timeoutMs: 600_000, onProgress: () => undefined, ...k }));
    expect(text).toBe(
      `Rollout failed: In cluster "c1", Deployment istio-system/istiod rolled out: the rollout exceeded its progress deadline (spec.progressDeadlineSeconds): ${message}. Nothing after this step was done; see kubectl describe deployment, fix the cause, and run the same command again (it resumes).`,
    );
    expect(k.sleeps).toEqual([]);
  });
});

describe("waitFor 'gone'", () => {
  const crdRef = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'wasmplugins.extensions.istio.io' };
  const terminatingCrd = (reason: string): KubeObject => ({
    ...crdRef,
    metadata: { name: crdRef.name, deletionTimestamp: '2026-12-02T01:31:48Z', finalizers: ['customresourcecleanup.apiextensions.k8s.io'] },
    status: { conditions: [{ type: 'Terminating', status: 'True', reason, message: 'could not list instances: storage is (re)initializing' }] },
  });

  it('touches a CRD whose finalizer gave up after a failed list, every 5 s, and returns once it is gone', async () => {
    let wakes = 0;
    // The finalizer finishes on the second nudge (the first met a still-starting cache again).
    const c = new FakeCluster('c1', { afterAnnotate: (ref, fake) => void (++wakes === 2 && fake.objects.delete(objectAddress('c1', ref))) });
    c.seed(terminatingCrd('InstanceDeletionFailed'));
    const k = clock();
    await waitFor(c.asClient(), { kind: 'gone', refs: [crdRef] }, { timeoutMs: 60_000, onProgress: () => undefined, ...k });
    expect(wakes).toBe(2);
    // Nudged at 5 s and 10 s; the read half a second later finds it gone.
    expect(k.elapsed()).toBe(10_500);
    expect(c.objects.size).toBe(0);
  });

  it('leaves a CRD alone while its finalizer is still deleting instances, and times out naming it', async () => {
    const c = new FakeCluster('c1');
    c.seed(terminatingCrd('InstanceDeletionInProgress'));
    const message = await failure(waitFor(c.asClient(), { kind: 'gone', refs: [crdRef] }, { timeoutMs: 30_000, onProgress: () => undefined, ...clock() }));
    expect(message).toBe(
      'Timed out waiting: Waited 30s in cluster "c1" for CustomResourceDefinition wasmplugins.extensions.istio.io deleted (a CRD whose finalizer stalls is annotated meshctl.io/finalizer-retry every 5s); last seen: still there (finalizers pending?): wasmplugins.extensions.istio.io. Nothing after this step was done; run the same command again once the cause is fixed (it resumes), or raise --wait-timeout.',
    );
    expect([...c.objects.values()][0]!.metadata.annotations?.[CRD_WAKE_ANNOTATION]).toBeUndefined();
  });
});
