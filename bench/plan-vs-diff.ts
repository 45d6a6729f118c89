// (a) No-op plan of the guide's topology, applied first: `meshctl plan --detailed-exitcode`
// against `kubectl diff --server-side` over the same rendered objects (one file per cluster, the
// clusters diffed in parallel, kubectl's default --concurrency 1), alternated round by round.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, meshctl, meshctlEnv, repoRoot, type BenchContext } from './context.js';
import { exportRendered } from './export-objects.js';
import { alternate, summarize, type Sample, type Summary } from './measure.js';
import { resetClusters } from '../test/harness/reset.js';

export const GUIDE_CONTEXTS = ['cluster1', 'cluster2'] as const;

export interface PlanVsDiffResult {
  readonly objects: number;
  readonly kubectlDiffExitCodes: Record<string, number | null>;
  /** --detailed-exitcode of every measured plan: 0 = no changes (2 would mean it was not a no-op). */
  readonly meshctlPlanExitCodes: Array<number | null>;
  readonly meshctlPlanMs: Summary;
  readonly kubectlDiffMs: Summary;
  readonly ratio: number;
  readonly meshctlRequests: number;
  readonly meshctlRequestsPerCluster: Record<string, number>;
  /** TLS connections meshctl opened in one plan. */
  readonly meshctlConnections?: number;
  readonly kubectlRequests: Record<string, number>;
  readonly meshctlRssMiB: Summary;
  readonly kubectlRssMiB: Summary;
}

/** A fresh guide directory with the example's mesh.yaml, applied by meshctl. */
export async function applyGuide(ctx: BenchContext): Promise<string> {
  const dir = join(ctx.workDir, 'guide');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(repoRoot, 'examples/primary-remote-multi-network/mesh.yaml'), join(dir, 'mesh.yaml'));
  rmSync(join(dir, 'meshctl.state.json'), { force: true });
  await resetClusters(ctx.kubectl, GUIDE_CONTEXTS);
  await meshctl(ctx, ['apply', '--auto-approve', '--verify=false'], { cwd: dir });
  return dir;
}

const diffArgs = (file: string) => ['diff', '--server-side', '--field-manager=meshctl', '--force-conflicts', '-f', file];

/** kubectl -v=6 logs one line per HTTP request. */
function countRequests(stderr: string): number {
  return stderr.split('\n').filter((l) => /verb="(GET|POST|PATCH|PUT|DELETE)"|\] (GET|POST|PATCH|PUT|DELETE) https?:\/\//.test(l)).length;
}

export async function benchPlanVsDiff(ctx: BenchContext, dir: string): Promise<PlanVsDiffResult> {
  ctx.log('no-op plan vs kubectl diff --server-side (guide topology)');
  const exported = await exportRendered(dir, join(ctx.workDir, 'objects'), meshctlEnv(ctx, { MESHCTL_STATS: undefined }));
  const files = [...exported.files];
  const kubectlDiffExitCodes: Record<string, number | null> = {};
  const kubectlRequests: Record<string, number> = {};
  for (const [context, file] of files) {
    const s = await kubectl(ctx, context, ['-v=6', ...diffArgs(file)], { ok: [0, 1] });
    kubectlDiffExitCodes[context] = s.code;
    kubectlRequests[context] = countRequests(s.stderr);
    if (s.code !== 0) ctx.log(`  kubectl diff reports differences in ${context}:\n${s.stdout.slice(0, 4000)}`);
  }
  const diffAll = async (): Promise<Sample> => {
    const t0 = performance.now();
    const all = await Promise.all(files.map(([context, file]) => kubectl(ctx, context, diffArgs(file), { ok: [0, 1] })));
    return { ...all[0]!, wallMs: performance.now() - t0, maxRssKiB: Math.max(...all.map((s) => s.maxRssKiB)) };
  };
  const s = await ctx.quiet(() =>
    alternate({ meshctl: () => meshctl(ctx, ['plan', '--detailed-exitcode'], { cwd: dir, ok: [0, 2] }), kubectl: diffAll }, { runs: ctx.runs, warmup: ctx.warmup, log: ctx.log }),
  );
  rmSync(join(ctx.workDir, 'objects'), { recursive: true, force: true });
  const m = summarize(s.meshctl.map((x) => x.wallMs));
  const k = summarize(s.kubectl.map((x) => x.wallMs));
  const stats = s.meshctl[s.meshctl.length - 1]!.stats!;
  return {
    objects: exported.objects,
    kubectlDiffExitCodes,
    meshctlPlanExitCodes: s.meshctl.map((x) => x.code),
    meshctlPlanMs: m,
    kubectlDiffMs: k,
    ratio: Math.round((k.median / m.median) * 100) / 100,
    meshctlRequests: stats.requests,
    ...(stats.connections !== undefined ? { meshctlConnections: stats.connections } : {}),
    meshctlRequestsPerCluster: stats.perCluster,
    kubectlRequests,
    meshctlRssMiB: summarize(s.meshctl.map((x) => x.maxRssKiB / 1024)),
    kubectlRssMiB: summarize(s.kubectl.map((x) => x.maxRssKiB / 1024)),
  };
}
