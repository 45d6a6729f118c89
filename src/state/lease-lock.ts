// The Kubernetes backend's lock: a coordination.k8s.io Lease, as Kubernetes' own leader election
// uses one. The holder (lock ID, user, host, pid, operation) is in an annotation; the Lease's
// duration and renewTime say when it runs out. The run holding it renews it every third of the
// duration, so a run that crashed (SIGKILL, a CI runner that vanished) leaves a lock that
// expires by itself: the next run takes it over and names the old holder. Every change is a
// compare-and-swap on the Lease's resourceVersion, so two runs never both take it.
import { DiagnosticsError, error } from '../diagnostics.js';
import { describeHolder, LOCK_RETRY_MS, newLockInfo, type Lock, type LockInfo, type LockRequest } from './backend.js';
import type { ApiObject, NamespacedApi } from './kube-api.js';

const HOLDER_ANNOTATION = 'meshctl.io/lock';

interface LeaseObject extends ApiObject {
  readonly spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function holderOf(lease: LeaseObject): LockInfo | null {
  if (!lease.spec?.holderIdentity) return null;
  try {
    return JSON.parse(lease.metadata.annotations?.[HOLDER_ANNOTATION] ?? '') as LockInfo;
  } catch {
    return { id: lease.spec.holderIdentity, operation: 'unknown', who: 'unknown', pid: 0, host: 'unknown', version: 'unknown', created: lease.spec.acquireTime ?? '' };
  }
}

/** Milliseconds since the holder last renewed, and the lease's duration. */
function timing(lease: LeaseObject, now: number): { sinceRenewMs: number; durationMs: number } {
  const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '');
  return { sinceRenewMs: Number.isNaN(renewed) ? Infinity : Math.max(0, now - renewed), durationMs: (lease.spec?.leaseDurationSeconds ?? 0) * 1000 };
}

export async function acquireLease(api: NamespacedApi, o: LockRequest & { name: string; durationSeconds: number; now: () => number }): Promise<Lock> {
  const info = newLockInfo({ operation: o.operation, version: o.version, now: o.now() });
  const deadline = o.now() + o.timeoutMs;
  const body = (prev: LeaseObject | null): ApiObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: o.name,
      namespace: api.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'meshctl' },
      annotations: { [HOLDER_ANNOTATION]: JSON.stringify(info) },
      ...(prev?.metadata.resourceVersion ? { resourceVersion: prev.metadata.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: info.id,
      leaseDurationSeconds: o.durationSeconds,
      acquireTime: microTime(o.now()),
      renewTime: microTime(o.now()),
      leaseTransitions: (prev?.spec?.leaseTransitions ?? 0) + (prev ? 1 : 0),
    },
  });
  let told = false;
  for (;;) {
    const lease = await api.get<LeaseObject>('leases', o.name);
    const holder = lease ? holderOf(lease) : null;
    const t = lease ? timing(lease, o.now()) : undefined;
    if (!lease || !holder || t!.sinceRenewMs > t!.durationMs) {
      const taken = lease ? await api.replace<LeaseObject>('leases', body(lease)) : await api.create<LeaseObject>('leases', body(null));
      if (taken !== 'conflict') {
        if (holder) {
          o.onTakeover?.(
            `Took over the state lock of ${describeHolder(holder, o.now())}: its lease (${t!.durationMs / 1000}s) expired, it stopped renewing ${Math.round(t!.sinceRenewMs / 1000)}s ago.`,
          );
        }
        return heldLease(api, taken, { info, durationSeconds: o.durationSeconds, now: o.now, ...(o.onLost ? { onLost: o.onLost } : {}) });
      }
      continue; // another run changed it first: look again
    }
    if (o.now() >= deadline) {
      const left = Math.max(0, Math.ceil((t!.durationMs - t!.sinceRenewMs) / 1000));
      throw new DiagnosticsError([
        error(
          'Error acquiring the state lock',
          `The state in ${api.describe} is locked by ${describeHolder(holder, o.now())}; it renewed its lease ${Math.round(t!.sinceRenewMs / 1000)}s ago. Wait for it to finish or retry with --lock-timeout. If that run crashed, its lease runs out within ${left}s and the next run takes the lock over; to break it now: meshctl force-unlock ${holder.id}`,
        ),
      ]);
    }
    if (!told) {
      told = true;
      o.onWait?.(holder);
    }
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
  }
}

function heldLease(api: NamespacedApi, initial: LeaseObject, o: { info: LockInfo; durationSeconds: number; now: () => number; onLost?: (message: string) => void }): Lock {
  let current = initial;
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (lost) return;
    const next = { ...current, metadata: { ...current.metadata }, spec: { ...current.spec, renewTime: microTime(o.now()) } };
    const res = await api.replace<LeaseObject>('leases', next).catch(() => undefined); // a failed renewal is retried at the next tick
    if (res === 'conflict') {
      lost = true;
      o.onLost?.(
        `The state lock (Lease ${api.namespace}/${initial.metadata.name}) was taken by another run while this one held it; this run's state writes will be refused if that run wrote the state.`,
      );
    } else if (res) {
      current = res;
    }
  };
  const timer = setInterval(
    () => {
      renewing = renewing.then(renew);
    },
    Math.max(1000, (o.durationSeconds * 1000) / 3),
  );
  timer.unref();
  return {
    info: o.info,
    release: async () => {
      clearInterval(timer);
      await renewing;
      if (lost) return; // onLost was told when a renewal found it taken
      const name = current.metadata.name;
      if ((await api.remove('leases', name, current.metadata.resourceVersion)) === 'deleted') return;
      // Changed since this run last saw it: still this run's if a renewal went through whose
      // answer was lost; otherwise force-unlocked (and perhaps taken): the holder's stays.
      const now = await api.get<LeaseObject>('leases', name);
      if (now?.spec?.holderIdentity === o.info.id && (await api.remove('leases', name, now.metadata.resourceVersion)) === 'deleted') return;
      o.onLost?.(`The state lock (Lease ${api.namespace}/${name}) was no longer this run's (force-unlocked?); left the current holder's lock, if any, in place.`);
    },
  };
}

/** Removes the Lease only when `id` is its holder's lock ID. */
export async function forceUnlockLease(api: NamespacedApi, o: { name: string; id: string; now: () => number }): Promise<LockInfo> {
  const lease = await api.get<LeaseObject>('leases', o.name);
  const holder = lease ? holderOf(lease) : null;
  if (!lease || !holder) throw new DiagnosticsError([error('No lock to remove', `The state in ${api.describe} is not locked.`)]);
  if (holder.id !== o.id) {
    throw new DiagnosticsError([
      error('Lock ID does not match', `The state in ${api.describe} is locked with ID ${holder.id} (by ${holder.who}, "${holder.operation}"), not ${o.id}. Nothing was removed.`),
    ]);
  }
  if ((await api.remove('leases', o.name, lease.metadata.resourceVersion)) === 'conflict') {
    throw new DiagnosticsError([error('Lock changed', `The lock in ${api.describe} changed while it was being removed (renewed or taken over). Nothing was removed; look again.`)]);
  }
  return holder;
}
