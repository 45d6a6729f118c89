// One planned change carried out: a small function per action, chosen by the closed union
// (never by the reason). The state is journaled around every request.
import { DiagnosticsError } from '../diagnostics.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { KubeObject } from '../kube/object.js';
import { maskSecretData } from '../kube/sensitive.js';
import { withFailurePolicyOf, withoutForeignFields } from '../planner/ignore.js';
import type { Change } from '../planner/plan.js';
import { unknownPaths } from '../planner/project.js';
import type { StateJournal } from '../state/journal.js';

export interface ChangeContext {
  /** The change's cluster, asked for only by changes that send a request. */
  readonly client: () => ClusterClient;
  readonly journal: StateJournal;
}

/** Creates and updates send the object with its real values, which only materialize gives. */
export function needsResolvedObject(c: Change): boolean {
  return c.action === 'create' || c.action === 'update' || c.action === 'replace';
}

export async function carryOutChange(ctx: ChangeContext, c: Change, resolved: KubeObject | undefined): Promise<void> {
  switch (c.action) {
    case 'create':
    case 'update':
      return send(ctx, c, resolved);
    case 'delete':
      return remove(ctx, c);
    case 'forget':
      return forget(ctx, c);
    case 'replace':
      return replace(ctx, c, resolved);
    case 'noop':
      return record(ctx, c);
    default: {
      const never: never = c.action;
      throw new Error(`unexpected action ${String(never)}: this is a bug in meshctl`);
    }
  }
}

function pendingRecord(c: Change) {
  return { unit: c.unit, cluster: c.cluster, ref: c.ref, existedBefore: c.existedBefore };
}

async function send({ client, journal }: ChangeContext, c: Change, resolved: KubeObject | undefined): Promise<void> {
  if (!resolved) throw new Error(`no object for ${c.address} at apply time: this is a bug in meshctl`);
  // Created whole (as rendered); updated without the fields istiod owns but with the
  // failurePolicy the plan saw (planner/ignore.ts).
  const sent = c.action === 'update' ? withFailurePolicyOf(withoutForeignFields(resolved), c.after, resolved) : withoutForeignFields(resolved, { creating: true });
  const pending = unknownPaths(sent);
  if (pending.length)
    throw new DiagnosticsError([
      {
        severity: 'error',
        summary: 'Value still unknown at apply time',
        detail: `${c.address} needs ${pending.join(', ')}, which no earlier step produced. Check that the unit it depends on finished.`,
      },
    ]);
  await journal.objectPending(c.address, pendingRecord(c));
  const res = await client().apply(sent);
  await journal.objectApplied(c.address, {
    applied: maskSecretData(withoutForeignFields(sent)),
    uid: res.metadata.uid as string | undefined,
    resourceVersion: res.metadata.resourceVersion as string | undefined,
    generation: typeof res.metadata.generation === 'number' ? res.metadata.generation : undefined,
  });
}

async function remove({ client, journal }: ChangeContext, c: Change): Promise<void> {
  await client().remove(c.ref);
  await journal.objectGone(c.address);
}

/**
 * Deleted, then created once the server no longer has it (a Deployment deleted with background
 * propagation goes at once; a finalizer would hold it). Pending first: a run killed in between
 * resumes with a plain create.
 */
async function replace(ctx: ChangeContext, c: Change, resolved: KubeObject | undefined): Promise<void> {
  await ctx.journal.objectPending(c.address, pendingRecord(c));
  await ctx.client().remove(c.ref);
  const deadline = Date.now() + REPLACE_GONE_TIMEOUT_MS;
  while ((await ctx.client().read(c.ref)) !== null) {
    if (Date.now() > deadline)
      throw new DiagnosticsError([
        {
          severity: 'error',
          summary: 'Object not gone',
          detail: `${c.address} was deleted to be created again (a field that cannot change in place differs), but it is still there after ${REPLACE_GONE_TIMEOUT_MS / 1000}s: a finalizer holds it. Remove the finalizer or the object, and apply again.`,
        },
      ]);
    await new Promise((r) => setTimeout(r, 200));
  }
  await send(ctx, c, resolved);
}

const REPLACE_GONE_TIMEOUT_MS = 60_000;

/** Server-side apply of the bare identity (the plan's `after`) drops every field meshctl owned. */
async function forget({ client, journal }: ChangeContext, c: Change): Promise<void> {
  await journal.objectPending(c.address, pendingRecord(c));
  await client().apply(c.after as KubeObject);
  await journal.objectGone(c.address);
}

/** A no-op sends nothing; its planned record update, if any, goes to the state. */
async function record({ journal }: ChangeContext, c: Change): Promise<void> {
  switch (c.record) {
    case undefined:
      return;
    case 'adopt':
      // `after` is what an interrupted apply sent (secrets already as digests); the live
      // object satisfies it, so it is recorded as applied.
      await journal.objectPending(c.address, pendingRecord(c));
      return journal.objectApplied(c.address, { applied: c.after });
    case 'move':
      return journal.objectMoved(c.address, c.unit);
    case 'drop':
      return journal.objectGone(c.address);
    default: {
      const never: never = c.record;
      throw new Error(`unexpected record update ${String(never)}: this is a bug in meshctl`);
    }
  }
}
