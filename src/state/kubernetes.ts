// The Kubernetes state backend (Terraform's `kubernetes` backend, without its faults): the state
// gzipped in a Secret, split over numbered chunk Secrets when it outgrows one object, and a
// coordination.k8s.io Lease as the lock (lease-lock.ts).
//
//   Secret meshctl-state-<mesh>              the head: lineage, serial, digest, the chunk names,
//                                            and the gzipped state itself when it fits
//   Secret meshctl-state-<mesh>-<serial>-<w>-<i>   chunk i of serial <serial>, written by write <w>
//
// A write stores its chunks first, then swaps the head with a compare-and-swap on the head's
// resourceVersion (and checks lineage and serial), then deletes chunks no head names. A reader
// reads the head, then the chunks it names, and checks the digest; chunks removed under it by
// a newer write send it back to the head. So a reader never sees a half-written set, and two
// writers can never both win.
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DiagnosticsError, error } from '../diagnostics.js';
import { sameEnvelope, writePlan, type Envelope, type Lock, type LockInfo, type LockRequest, type StateBackend } from './backend.js';
import { NamespacedApi, type ApiObject, type KubeCaller } from './kube-api.js';
import { acquireLease, forceUnlockLease } from './lease-lock.js';
import { parseState, serializeState } from './read.js';
import { staleWrite } from './stale-write.js';
import type { MeshState } from './state.js';

/**
 * gzip bytes per Secret. The API server refuses Secret data over 1 MiB; base64 in the JSON body
 * and the object's metadata stay well inside the request limits at this size.
 */
export const CHUNK_BYTES = 768 * 1024;

const MANAGED = { 'app.kubernetes.io/managed-by': 'meshctl' };
const ANN = { lineage: 'meshctl.io/lineage', serial: 'meshctl.io/serial', digest: 'meshctl.io/sha256', chunks: 'meshctl.io/chunks' } as const;
const DATA_KEY = 'state.json.gz';

interface SecretObject extends ApiObject {
  readonly data?: Readonly<Record<string, string>>;
}

export interface KubernetesStateOptions {
  readonly caller: KubeCaller;
  readonly namespace: string;
  readonly meshID: string;
  readonly leaseDurationSeconds: number;
  readonly now?: () => number;
  /** Tests shrink it to split small states. */
  readonly chunkBytes?: number;
  readonly close?: () => void;
}

/** A Kubernetes name for the mesh: meshIDs may hold capitals and '_', names may not. */
export function stateObjectName(meshID: string): string {
  const slug = meshID.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const suffix = slug === meshID ? '' : `-${createHash('sha256').update(meshID).digest('hex').slice(0, 6)}`;
  return `meshctl-state-${slug}${suffix}`;
}

export class KubernetesStateBackend implements StateBackend {
  readonly where: string;
  private readonly api: NamespacedApi;
  private readonly head: string;
  private readonly now: () => number;
  /** The head as this backend last read or wrote it: what the next write swaps. */
  private known: { readonly resourceVersion: string; readonly lineage: string; readonly serial: number; readonly chunked: boolean } | null | undefined;

  constructor(private readonly o: KubernetesStateOptions) {
    this.api = new NamespacedApi(o.caller, o.namespace);
    this.head = stateObjectName(o.meshID);
    this.now = o.now ?? Date.now;
    this.where = `Secret ${o.namespace}/${this.head} (${o.caller.describe})`;
  }

  /** The lock Lease's name. */
  get leaseName(): string {
    return this.head.replace(/^meshctl-state-/, 'meshctl-lock-');
  }

  async read(): Promise<MeshState | null> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.api.get<SecretObject>('secrets', this.head);
      if (!head) {
        this.known = null;
        return null;
      }
      const bytes = await this.payload(head);
      if (bytes === 'moved') {
        // A newer write removed the chunks this head named: read its head instead.
        if (attempt < 5) continue;
        throw new DiagnosticsError([error('State keeps changing', `${this.where} was rewritten five times while it was being read. Try again.`)]);
      }
      const text = gunzipSync(bytes).toString('utf8');
      const r = parseState(text, { file: this.where, meshID: this.o.meshID });
      if (!r.state) throw new DiagnosticsError(r.diagnostics);
      this.known = { resourceVersion: head.metadata.resourceVersion ?? '', lineage: r.state.lineage, serial: r.state.serial, chunked: isChunked(head) };
      return r.state;
    }
  }

  private async payload(head: SecretObject): Promise<Buffer | 'moved'> {
    const ann = head.metadata.annotations ?? {};
    const chunks = JSON.parse(ann[ANN.chunks] ?? '[]') as string[];
    let bytes: Buffer;
    if (chunks.length === 0) {
      bytes = Buffer.from(head.data?.[DATA_KEY] ?? '', 'base64');
    } else {
      const parts = await Promise.all(chunks.map((name) => this.api.get<SecretObject>('secrets', name)));
      if (parts.some((p) => p === null)) return 'moved';
      bytes = Buffer.concat(parts.map((p) => Buffer.from(p!.data?.[DATA_KEY] ?? '', 'base64')));
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== ann[ANN.digest]) {
      throw new DiagnosticsError([
        error('Unusable state', `${this.where}: its content does not match its recorded digest (sha256 ${ann[ANN.digest] ?? 'missing'}, content ${digest}). It was edited or damaged by hand.`),
      ]);
    }
    return bytes;
  }

  async write(state: MeshState, opts?: { readonly base: Envelope | null }): Promise<MeshState> {
    const { expected, next } = writePlan(state, opts);
    if (this.known === undefined) await this.readHeadOnly();
    const known = this.known!;
    if (!sameEnvelope(known, expected)) throw staleWrite(this.where, { expected, found: known });
    const gz = gzipSync(serializeState(next));
    const size = this.o.chunkBytes ?? CHUNK_BYTES;
    const writeId = randomBytes(3).toString('hex');
    const chunkNames: string[] = [];
    if (gz.length > size) {
      for (let i = 0, off = 0; off < gz.length; i++, off += size) {
        const name = `${this.head}-${next.serial}-${writeId}-${i}`;
        const made = await this.api.create('secrets', this.secret(name, gz.subarray(off, off + size), { 'meshctl.io/state-chunk': this.o.meshID, 'meshctl.io/serial': String(next.serial) }));
        if (made === 'conflict') throw new DiagnosticsError([error('State backend error', `${this.where}: chunk ${name} exists already; another run is writing. Nothing was written.`)]);
        chunkNames.push(name);
      }
    }
    const annotations = { [ANN.lineage]: next.lineage, [ANN.serial]: String(next.serial), [ANN.digest]: createHash('sha256').update(gz).digest('hex'), [ANN.chunks]: JSON.stringify(chunkNames) };
    const body = this.secret(this.head, chunkNames.length ? undefined : gz, { 'meshctl.io/state': this.o.meshID }, annotations, known?.resourceVersion);
    const stored = known === null ? await this.api.create<SecretObject>('secrets', body) : await this.api.replace<SecretObject>('secrets', body);
    if (stored === 'conflict') {
      await this.readHeadOnly();
      await this.removeChunks(new Set(), next.serial, writeId);
      throw staleWrite(this.where, { expected, found: this.known ?? null });
    }
    this.known = { resourceVersion: stored.metadata.resourceVersion ?? '', lineage: next.lineage, serial: next.serial, chunked: chunkNames.length > 0 };
    // A small state replacing a small state had no chunks to clear (and a journal writes often).
    if (chunkNames.length > 0 || known?.chunked) await this.removeChunks(new Set(chunkNames), next.serial);
    return next;
  }

  /** The head's envelope without its payload, for a write that did not read first. */
  private async readHeadOnly(): Promise<void> {
    const head = await this.api.get<SecretObject>('secrets', this.head);
    const ann = head?.metadata.annotations ?? {};
    this.known = head ? { resourceVersion: head.metadata.resourceVersion ?? '', lineage: ann[ANN.lineage] ?? '', serial: Number(ann[ANN.serial] ?? NaN), chunked: isChunked(head) } : null;
  }

  /**
   * Chunks no head names any more: those of older serials, and those of a write that lost. A
   * newer serial's chunks are another writer's and are left alone. `onlyWrite`: only that write's.
   */
  private async removeChunks(keep: ReadonlySet<string>, upToSerial: number, onlyWrite?: string): Promise<void> {
    const all = await this.api.list<SecretObject>('secrets', `meshctl.io/state-chunk=${this.o.meshID}`);
    const doomed = all.filter((s) => {
      const serial = Number(s.metadata.labels?.['meshctl.io/serial']);
      return !keep.has(s.metadata.name) && serial <= upToSerial && (onlyWrite === undefined || s.metadata.name.includes(`-${onlyWrite}-`));
    });
    await Promise.all(doomed.map((s) => this.api.remove('secrets', s.metadata.name)));
  }

  private secret(name: string, data: Buffer | undefined, labels: Record<string, string>, annotations?: Record<string, string>, resourceVersion?: string): ApiObject {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'meshctl.io/state',
      metadata: { name, namespace: this.o.namespace, labels: { ...MANAGED, ...labels }, ...(annotations ? { annotations } : {}), ...(resourceVersion ? { resourceVersion } : {}) },
      data: data ? { [DATA_KEY]: data.toString('base64') } : {},
    };
  }

  lock(opts: LockRequest): Promise<Lock> {
    return acquireLease(this.api, { ...opts, name: this.leaseName, durationSeconds: this.o.leaseDurationSeconds, now: this.now });
  }

  forceUnlock(id: string): Promise<LockInfo> {
    return forceUnlockLease(this.api, { name: this.leaseName, id, now: this.now });
  }

  close(): void {
    this.o.close?.();
  }
}

function isChunked(head: SecretObject): boolean {
  return (JSON.parse(head.metadata.annotations?.[ANN.chunks] ?? '[]') as string[]).length > 0;
}
