// Records apply progress in the state file after every action, so an apply killed at any
// moment resumes on the next run: an object is written as "pending" (with whether it existed
// before) before the request goes out, and as "applied" or removed once the server answered.
// Writes are serialised because independent clusters apply in parallel.
import { isDeepStrictEqual } from 'node:util';
import type { MeshState, ObjectRecord, UnitRecord } from './state.js';
import type { StateBackend } from './backend.js';

export class StateJournal {
  private current: MeshState;
  private queue: Promise<unknown> = Promise.resolve();
  /** First failed write; the queue itself swallows failures so later writes still run. */
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly backend: Pick<StateBackend, 'write'>,
    initial: MeshState,
  ) {
    this.current = initial;
  }

  get state(): MeshState {
    return this.current;
  }

  /** Changes waiting for the next write (group commit). */
  private waiting: { change: (s: MeshState) => MeshState; resolve: () => void; reject: (e: unknown) => void }[] = [];

  /**
   * Group commit: changes that arrive while a write is in progress go into the next write
   * together, so objects applied in parallel cost one write per batch, not one each (a state
   * holding Istio's CRDs is megabytes; a write per object made apply I/O-bound). Each caller
   * still resolves only once its change is on disk.
   */
  private update(change: (s: MeshState) => MeshState): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ change, resolve, reject }));
    if (this.waiting.length === 1) {
      this.queue = this.queue.then(() => this.writeBatch());
    }
    return done;
  }

  private async writeBatch(): Promise<void> {
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    try {
      let next = this.current;
      for (const b of batch) next = b.change(next);
      // A batch that changed nothing is not written: the serial moves only when the state does,
      // so a saved plan stays valid across a run that had nothing to record.
      if (next !== this.current) this.current = await this.backend.write(next);
      for (const b of batch) b.resolve();
    } catch (error) {
      // Keep the first failure for flush(): without it, flush() would resolve after a lost write
      // and callers would believe the state was saved.
      this.failure ??= { error };
      for (const b of batch) b.reject(error);
    }
  }

  objectPending(address: string, rec: Omit<ObjectRecord, 'status'>): Promise<void> {
    return this.update((s) => {
      const prev = s.objects[address];
      // Once recorded, whether it existed before never changes: resumes must not forget it.
      const existedBefore = prev ? prev.existedBefore : rec.existedBefore;
      return { ...s, objects: { ...s.objects, [address]: { ...prev, ...rec, existedBefore, status: prev?.status === 'applied' ? 'applied' : 'pending' } } };
    });
  }

  objectApplied(address: string, fields: Pick<ObjectRecord, 'applied' | 'uid' | 'resourceVersion' | 'generation'>): Promise<void> {
    return this.update((s) => {
      const prev = s.objects[address];
      if (!prev) throw new Error(`object ${address} applied without a pending record: this is a bug in meshctl`);
      // Each field is replaced, not merged: a generation recorded for an earlier body must not
      // survive an apply that did not report one.
      const { uid, resourceVersion, generation, applied } = fields;
      return { ...s, objects: { ...s.objects, [address]: { ...prev, applied, uid, resourceVersion, generation, status: 'applied' } } };
    });
  }

  /** The object now belongs to another unit (a later meshctl split the unit it was made by). */
  objectMoved(address: string, unit: string): Promise<void> {
    return this.update((s) => {
      const prev = s.objects[address];
      if (!prev) throw new Error(`object ${address} moved without a record: this is a bug in meshctl`);
      return { ...s, objects: { ...s.objects, [address]: { ...prev, unit } } };
    });
  }

  objectGone(address: string): Promise<void> {
    return this.update((s) => {
      if (!(address in s.objects)) return s;
      const { [address]: _, ...rest } = s.objects;
      return { ...s, objects: rest };
    });
  }

  unit(rec: UnitRecord): Promise<void> {
    return this.update((s) => {
      const i = s.units.findIndex((u) => u.id === rec.id);
      if (i >= 0 && isDeepStrictEqual(s.units[i], { ...s.units[i], ...rec, outputs: { ...s.units[i]!.outputs, ...rec.outputs } })) return s;
      const units = i < 0 ? [...s.units, rec] : s.units.map((u, j) => (j === i ? { ...u, ...rec, outputs: { ...u.outputs, ...rec.outputs } } : u));
      return { ...s, units };
    });
  }

  unitGone(id: string): Promise<void> {
    return this.update((s) => (s.units.some((u) => u.id === id) ? { ...s, units: s.units.filter((u) => u.id !== id) } : s));
  }

  /**
   * Drops the connection records of clusters that are not in `named` (mesh.yaml) and have no
   * unit or object left: nothing of meshctl's is there any more.
   */
  keepClusters(named: ReadonlySet<string>): Promise<void> {
    return this.update((s) => {
      if (!s.clusters) return s;
      const used = new Set([...s.units.map((u) => u.cluster), ...Object.values(s.objects).map((o) => o.cluster)]);
      const kept = Object.entries(s.clusters).filter(([name]) => named.has(name) || used.has(name));
      return kept.length === Object.keys(s.clusters).length ? s : { ...s, clusters: Object.fromEntries(kept) };
    });
  }

  /** The Istio version now installed, once an apply completed (none: the mesh is gone). */
  installed(version: string | undefined): Promise<void> {
    return this.update((s) => {
      if (s.istio?.version === version) return s;
      if (version === undefined) {
        const { istio: _, ...rest } = s;
        return rest;
      }
      return { ...s, istio: { version } };
    });
  }

  /** Waits for every queued write; rethrows the first failure. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure.error;
  }
}
