// An apply killed at each step (docs/resume.md): the guide's mesh on cluster1/cluster2, its apply
// SIGKILLed right after its k-th state write (test/harness/crash-after-write.mjs, a preload: no
// hook in meshctl), then applied again. Every kill point must converge to what a clean apply
// makes: the resume exits 0 with verify on, a plan then has no changes, the clusters hold what
// the clean apply left (nothing duplicated or orphaned), the state lists exactly the live
// objects, and destroy leaves the clusters as found (test/harness/crash-after-write-sweep.ts).
//
// Here a stride of kill points; every k from 1 to N is scripts/kill-sweep.ts, with its results
// in docs/resume.md.
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, e2eEnvironment, e2eKubectl } from '../harness/e2e.js';
import { cleanReference, describeResult, killPoint, strideKillPoints, type KillAt, type KillPointResult, type Reference, type SweepEnv } from '../harness/crash-after-write-sweep.js';
import { ensureBuilt } from './support/meshctl.js';

/**
 * The kill points: the first write, every STRIDE-th after it up to N - MARGIN, and the write that
 * completes the apply ("last"). A clean apply of the guide's mesh makes N ≈ 128–130 writes, the
 * count varying with group-commit timing (a stride point at 127 once lay past the end of a killed
 * run that made 126), and a kill point (reset, killed apply, resume, checks, destroy) takes ~40 s
 * on this 2-core machine (docs/resume.md), so 1, 39, 77, 115 and last, with the clean apply and the
 * double crash, keep the file near five minutes.
 */
const STRIDE = 38;
const MARGIN = 8;

/** Kill points one at a time, even when a test timed out and its loop is still running. */
let queue: Promise<unknown> = Promise.resolve();
function inTurn(env: SweepEnv, ref: Reference, o: { kills: readonly KillAt[]; destroy: boolean }): Promise<KillPointResult> {
  const next = queue.then(() => killPoint(env, ref, o));
  queue = next.catch(() => undefined);
  return next;
}

const log = (line: string) => process.stderr.write(`[kill-sweep] ${line}\n`);

describe('an apply killed right after its k-th state write resumes and converges', () => {
  let env: SweepEnv;
  let ref: Reference;

  beforeAll(async () => {
    ensureBuilt();
    env = {
      kubectl: e2eKubectl(),
      istioctl: binPath('istioctl'),
      contexts: ['cluster1', 'cluster2'],
      mesh: resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml'),
    };
    expect(e2eEnvironment().contexts).toEqual(expect.arrayContaining([...env.contexts]));
    // Not destroyed: the first kill point's reset removes it; every kill point destroys.
    ref = await cleanReference(env, { destroy: false });
    log(`clean apply: N = ${ref.writes} state writes, ${ref.addresses.length} objects in ${ref.units.length} units (apply ${ref.ms.apply} ms)`);
  });

  it('at the first write, every STRIDE-th and the last', { timeout: 600_000 }, async () => {
    const points: KillAt[] = [...strideKillPoints(ref.writes, STRIDE, MARGIN), 'last'];
    expect(points[0]).toBe(1);
    const results: KillPointResult[] = [];
    for (const k of points) {
      // Each ends with a destroy: the resumed state must hold all there is to remove.
      const r = await inTurn(env, ref, { kills: [k], destroy: true });
      log(describeResult(r));
      results.push(r);
    }
    expect(results.filter((r) => !r.converged).map(describeResult)).toEqual([]);
  });

  it('a double crash: the resume itself killed half-way, then applied again', { timeout: 300_000 }, async () => {
    // A kill point between the stride's; its resume writes about N - k, killed again half-way.
    const k = Math.ceil(ref.writes / 3);
    const r = await inTurn(env, ref, { kills: [k, Math.ceil((ref.writes - k) / 2)], destroy: true });
    log(describeResult(r));
    expect(r.killedAfter).toHaveLength(2);
    expect(r.converged, describeResult(r)).toBe(true);
  });
});
