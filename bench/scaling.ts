// (c) Scaling: generated meshes of 2, 4, 8, 16 clusters (bench/topology.ts). Per size: a fresh
// apply (a warm-up, or the only apply figure with --scale-apply-runs 0), then no-op plans and
// verifies, then
// fresh applies with a reset before each — wall time, API requests (MESHCTL_STATS), peak memory;
// and the size of the state the first apply wrote, as the local file and as the Kubernetes
// backend would store it (gzipped, in 768 KiB Secrets).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHUNK_BYTES } from '../src/state/kubernetes.js';
import { meshctl, type BenchContext } from './context.js';
import { alternate, summarize, type Sample, type Summary } from './measure.js';
import { resetClusters } from '../test/harness/reset.js';
import { generateMesh, shapeOf, type Shape } from './topology.js';

export interface ScalePoint {
  readonly clusters: number;
  readonly shape: Shape;
  /** Objects meshctl manages (its state file after apply). */
  readonly objects: number;
  /** The state file after the first apply, in bytes (absent from results measured before). */
  readonly stateBytes?: number;
  /** The same bytes gzipped (node:zlib, default level), as the Kubernetes backend stores them. */
  readonly stateGzipBytes?: number;
  /** Secrets the Kubernetes backend needs for it: the head alone, or the head and one per chunk. */
  readonly kubernetesSecrets?: number;
  readonly planMs: Summary;
  readonly planRequests: number;
  readonly planRequestsPerCluster: Record<string, number>;
  /** TLS connections one no-op plan opened. */
  readonly planConnections?: number;
  readonly planRssMiB: Summary;
  /** `meshctl verify` of the applied mesh (every check, every remote secret probed). */
  readonly verifyMs?: Summary;
  readonly verifyRequests?: number;
  readonly verifyRssMiB?: Summary;
  /** Fresh applies measured; 0 runs requested means the first apply is the only figure. */
  readonly applyRuns: number;
  readonly applyMs: Summary;
  readonly applyRequests: Summary;
  readonly applyRssMiB: Summary;
  /** Runs repeated because meshctl hit its render-cache race (see docs/benchmarks.md). */
  readonly renderCacheRaceRetries: number;
}

const contextsUpTo = (n: number) => Array.from({ length: n }, (_, i) => `cluster${i + 1}`);

export async function benchScalePoint(ctx: BenchContext, n: number): Promise<ScalePoint> {
  ctx.log(`scaling: ${n} clusters`);
  const dir = join(ctx.workDir, `scale-${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mesh.yaml'), generateMesh(n));
  const stateFile = join(dir, 'meshctl.state.json');
  const contexts = contextsUpTo(n);
  let renderCacheRaceRetries = 0;
  // Builds before the render-cache fix could fail a run on a rename (docs/benchmarks.md, (c)):
  // such a run is repeated once, so older commits can still be measured.
  const run = async (args: string[], before?: () => Promise<void>): Promise<Sample> => {
    await before?.();
    try {
      return await meshctl(ctx, args, { cwd: dir });
    } catch (e) {
      if (!/ENOENT: no such file or directory, rename .*\/render\//.test((e as Error).message)) throw e;
      renderCacheRaceRetries++;
      ctx.log('  meshctl hit the render-cache race; repeating the run');
      await before?.();
      return meshctl(ctx, args, { cwd: dir });
    }
  };
  const freshApply = () =>
    run(['apply', '--auto-approve', '--verify=false'], async () => {
      await resetClusters(ctx.kubectl, contexts);
      rmSync(stateFile, { force: true });
    });
  const first = await freshApply();
  ctx.log(`  first apply (warm-up): ${(first.wallMs / 1000).toFixed(1)} s`);
  const stateText = readFileSync(stateFile);
  const objects = Object.keys((JSON.parse(stateText.toString('utf8')) as { objects: object }).objects).length;
  const size = stateSize(stateText);
  ctx.log(`  state: ${size.stateBytes} bytes, ${size.stateGzipBytes} gzipped, ${size.kubernetesSecrets} Secret(s) in Kubernetes`);
  const plans = await ctx.quiet(() => alternate({ plan: () => run(['plan', '--detailed-exitcode']) }, { runs: ctx.runs, warmup: ctx.warmup, log: ctx.log }));
  const verifies = await ctx.quiet(() => alternate({ verify: () => run(['verify']) }, { runs: ctx.runs, warmup: ctx.warmup, log: ctx.log }));
  const applies = ctx.scaleApplyRuns > 0 ? await alternate({ apply: freshApply }, { runs: ctx.scaleApplyRuns, warmup: 0, log: ctx.log }) : { apply: [first] };
  const lastPlan = plans.plan[plans.plan.length - 1]!.stats!;
  return {
    clusters: n,
    shape: shapeOf(n),
    objects,
    ...size,
    planMs: summarize(plans.plan.map((s) => s.wallMs)),
    planRequests: lastPlan.requests,
    planRequestsPerCluster: lastPlan.perCluster,
    ...(lastPlan.connections !== undefined ? { planConnections: lastPlan.connections } : {}),
    planRssMiB: summarize(plans.plan.map((s) => s.maxRssKiB / 1024)),
    verifyMs: summarize(verifies.verify.map((s) => s.wallMs)),
    verifyRequests: verifies.verify[verifies.verify.length - 1]!.stats?.requests ?? NaN,
    verifyRssMiB: summarize(verifies.verify.map((s) => s.maxRssKiB / 1024)),
    applyRuns: applies.apply.length,
    applyMs: summarize(applies.apply.map((s) => s.wallMs)),
    applyRequests: summarize(applies.apply.map((s) => s.stats?.requests ?? NaN)),
    applyRssMiB: summarize(applies.apply.map((s) => s.maxRssKiB / 1024)),
    renderCacheRaceRetries,
  };
}

/**
 * What the state would take in the Kubernetes backend (src/state/kubernetes.ts): the same
 * serialisation gzipped, in the head Secret when it fits in one chunk, else one Secret per
 * CHUNK_BYTES of gzip plus the head.
 */
export function stateSize(bytes: Buffer): { stateBytes: number; stateGzipBytes: number; kubernetesSecrets: number } {
  const gz = gzipSync(bytes).length;
  return { stateBytes: bytes.length, stateGzipBytes: gz, kubernetesSecrets: gz > CHUNK_BYTES ? Math.ceil(gz / CHUNK_BYTES) + 1 : 1 };
}
