// (b) Fresh apply of the guide's topology: `meshctl apply --auto-approve` against the guide's own
// command sequence run as a script (bench/guide.sh), alternated, the clusters reset before each.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { meshctl, repoRoot, type BenchContext } from './context.js';
import { alternate, summarize, timed, type Summary } from './measure.js';
import { applyBreakdown, type ApplyBreakdown } from './overhead.js';
import { GUIDE_CONTEXTS } from './plan-vs-diff.js';
import { resetClusters } from '../test/harness/reset.js';

export interface ApplyVsGuideResult {
  readonly meshctlApplyMs: Summary;
  readonly guideScriptMs: Summary;
  readonly ratio: number;
  readonly meshctlRequests: Summary;
  readonly meshctlRssMiB: Summary;
  readonly meshctlUntilFirstUnitMs: Summary;
  readonly meshctlWaitingMs: Summary;
  readonly meshctlOverheadMs: Summary;
  /** The units of the median meshctl run, for reading where its time went. */
  readonly meshctlMedianRunTimeline: ApplyBreakdown['timeline'];
}

export async function benchApplyVsGuide(ctx: BenchContext, guideDir: string): Promise<ApplyVsGuideResult> {
  ctx.log("fresh apply: meshctl apply vs the guide's commands (bench/guide.sh)");
  const work = join(ctx.workDir, 'guide-script');
  const env = {
    ...process.env,
    KUBECONFIG: ctx.kubeconfig,
    KUBECTL: ctx.kubectl.binary,
    ISTIOCTL: join(ctx.binDir, 'istioctl'),
    TRUST: join(guideDir, 'trust'),
    GOLDEN: join(repoRoot, 'test/unit/model/golden'),
    WORK: work,
  };
  const s = await alternate(
    {
      meshctl: () => {
        rmSync(join(guideDir, 'meshctl.state.json'), { force: true });
        // The guide's commands check nothing afterwards: meshctl's apply is measured without verify too.
        return meshctl(ctx, ['apply', '--auto-approve', '--verify=false'], { cwd: guideDir });
      },
      guide: () => {
        mkdirSync(work, { recursive: true });
        return timed('bash', [join(repoRoot, 'bench/guide.sh')], { env });
      },
    },
    { runs: ctx.runs, warmup: ctx.warmup, log: ctx.log, between: () => resetClusters(ctx.kubectl, GUIDE_CONTEXTS) },
  );
  const m = summarize(s.meshctl.map((x) => x.wallMs));
  const g = summarize(s.guide.map((x) => x.wallMs));
  const b = s.meshctl.map(applyBreakdown);
  return {
    meshctlApplyMs: m,
    guideScriptMs: g,
    ratio: Math.round((g.median / m.median) * 100) / 100,
    meshctlRequests: summarize(s.meshctl.map((x) => x.stats?.requests ?? NaN)),
    meshctlRssMiB: summarize(s.meshctl.map((x) => x.maxRssKiB / 1024)),
    meshctlUntilFirstUnitMs: summarize(b.map((x) => x.untilFirstUnitMs)),
    meshctlWaitingMs: summarize(b.map((x) => x.waitingMs)),
    meshctlOverheadMs: summarize(b.map((x) => x.overheadMs)),
    meshctlMedianRunTimeline: b[s.meshctl.findIndex((x) => x.wallMs === [...s.meshctl].sort((p, q) => p.wallMs - q.wallMs)[s.meshctl.length >> 1]!.wallMs)]!.timeline,
  };
}
