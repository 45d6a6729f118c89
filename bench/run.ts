// `npm run bench`: builds meshctl, builds or reuses the binaries, starts local clusters (real
// kube-apiservers on loopback), runs every benchmark and writes bench/results/latest.json.
//   npm run bench -- [--runs 5] [--warmup 1] [--sizes 2,4,8,16] [--scale-apply-runs 5]
//                    [--only startup,plan,apply,scale,lock] [--merge]
//                    [--lease-durations 10,60] [--lock-runs 3]
// --merge keeps the sections of an existing results file that this run does not measure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBins } from '../test/harness/bins.js';
import { startEnvironment, type Environment } from '../test/harness/environment.js';
import { benchApplyVsGuide, type ApplyVsGuideResult } from './apply-vs-guide.js';
import { repoRoot, type BenchContext } from './context.js';
import { benchLockTakeover, type LockTakeoverResult } from './lock-takeover.js';
import { summarize, type Summary } from './measure.js';
import { applyGuide, benchPlanVsDiff, type PlanVsDiffResult } from './plan-vs-diff.js';
import { renderTables } from './report.js';
import { benchScalePoint, type ScalePoint } from './scaling.js';
import { benchStartup, type StartupResult } from './startup.js';

export interface BenchResults {
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; kubectl: string; istioctl: string; meshctlCommit: string; nodeExtraCaCertsRemoved?: string };
  /** 1-minute load average sampled every 5 s while each section ran ("setup": build, cluster start). */
  loadAverage1m: Record<string, Summary>;
  settings: { runs: number; warmup: number; scaleApplyRuns: number; sizes: number[] };
  startedAt: string;
  finishedAt?: string;
  startup?: StartupResult;
  planVsDiff?: PlanVsDiffResult;
  applyVsGuide?: ApplyVsGuideResult;
  scaling?: ScalePoint[];
  /** (e) How soon the next apply takes over the lock of a SIGKILLed one (bench/lock-takeover.ts). */
  lockTakeover?: LockTakeoverResult;
  /**
   * The meshctl commit and time each part was measured at. With --merge, parts of one file come
   * from different invocations, possibly of different commits; `machine.meshctlCommit` is only
   * the last one's.
   */
  measured?: Record<string, { commit: string; at: string }>;
}

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '2,4,8,16' },
    'scale-apply-runs': { type: 'string', default: '5' },
    only: { type: 'string', default: 'startup,plan,apply,scale' },
    'lease-durations': { type: 'string', default: '10,60' },
    'lock-runs': { type: 'string', default: '3' },
    out: { type: 'string', default: join(repoRoot, 'bench/results/latest.json') },
    merge: { type: 'boolean', default: false },
  },
});
// The sandbox sets NODE_EXTRA_CA_CERTS, which Node parses before any JavaScript runs: a start-up
// cost no user's machine has and nothing measured needs (docs/benchmarks.md). Removed for every
// measured process alike; the start-up part also reports the node baseline with it.
const extraCaCerts = process.env['NODE_EXTRA_CA_CERTS'];
delete process.env['NODE_EXTRA_CA_CERTS'];

const only = new Set(opt.only.split(','));
const sizes = opt.sizes.split(',').map(Number);
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const text = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim();

log('building meshctl (npm run build: tsc, then the bundle bin/meshctl.js runs)');
const built = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`building meshctl failed:\n${built.stdout}${built.stderr}`);
const binDir = await ensureBins({ onProgress: (l) => log(`bins: ${l}`) });

type Section = 'setup' | 'startup' | 'plan' | 'apply' | 'scale' | 'lock';
const loads: Partial<Record<Section, number[]>> = {};
let section: Section = 'setup'; // building, starting the clusters
const sampler = setInterval(() => (loads[section] ??= []).push(os.loadavg()[0]!), 5000);
const previous = opt.merge && existsSync(opt.out) ? (JSON.parse(readFileSync(opt.out, 'utf8')) as BenchResults) : undefined;
const results: BenchResults = {
  ...previous,
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kubectl: text(join(binDir, 'kubectl'), ['version', '--client', '-o', 'json']).match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? 'unknown',
    istioctl: text(join(binDir, 'istioctl'), ['version', '--remote=false', '--short']),
    // "-dirty": src/ had uncommitted changes when dist/ was built (the tree is shared).
    meshctlCommit: text('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']) + (text('git', ['-C', repoRoot, 'status', '--porcelain', 'src']) ? '-dirty' : ''),
    ...(extraCaCerts ? { nodeExtraCaCertsRemoved: extraCaCerts } : {}),
  },
  settings: { runs: Number(opt.runs), warmup: Number(opt.warmup), scaleApplyRuns: Number(opt['scale-apply-runs']), sizes },
  startedAt: new Date().toISOString(),
  // Results of the first format kept one figure for the whole run, under machine.
  loadAverage1m: previous?.loadAverage1m ?? { ...(previous && 'loadAverage1m' in previous.machine ? { 'startup+plan+apply': previous.machine.loadAverage1m as Summary } : {}) },
};
results.measured = { ...previous?.measured };
const stamp = (part: 'startup' | 'plan' | 'apply' | 'scale' | 'lock') => (results.measured![part] = { commit: results.machine.meshctlCommit, at: new Date().toISOString() });
const save = () => {
  for (const [k, v] of Object.entries(loads)) if (v.length) results.loadAverage1m[k] = summarize(v);
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(opt.out, `${JSON.stringify(results, null, 2)}\n`);
};

const workDir = mkdtempSync(join(os.tmpdir(), 'meshctl-bench-'));
let env: Environment | undefined;
try {
  const needClusters = only.has('plan') || only.has('apply') || only.has('scale') || only.has('lock');
  const count = Math.max(2, ...(only.has('scale') ? sizes : []));
  // Getters: the clusters start after the start-up part, which needs none.
  const ctx: BenchContext = {
    binDir,
    get kubeconfig() {
      return env?.info.kubeconfigPath ?? '';
    },
    get kubectl() {
      return { binary: join(binDir, 'kubectl'), kubeconfig: env?.info.kubeconfigPath ?? '' };
    },
    runs: results.settings.runs,
    warmup: results.settings.warmup,
    scaleApplyRuns: results.settings.scaleApplyRuns,
    workDir,
    log,
    async quiet(f) {
      env?.simulator.setPaused(true);
      // A pass in flight finishes first (one pass is well under a second).
      await new Promise((r) => setTimeout(r, 1500));
      try {
        return await f();
      } finally {
        env?.simulator.setPaused(false);
      }
    },
  };
  // Start-up first, before any cluster runs: it needs none, and idle API servers would load the
  // machine under a figure that is about meshctl's own start.
  if (only.has('startup')) {
    section = 'startup';
    results.startup = await benchStartup(ctx, { extraCaCerts });
    stamp('startup');
    save();
  }
  if (needClusters) {
    section = 'setup';
    log(`starting ${count} clusters`);
    env = await startEnvironment({ binDir, count });
  }
  if (only.has('plan') || only.has('apply')) {
    log("applying the guide's mesh.yaml");
    section = only.has('plan') ? 'plan' : 'apply';
    const guideDir = await applyGuide(ctx);
    if (only.has('plan')) {
      results.planVsDiff = await benchPlanVsDiff(ctx, guideDir);
      stamp('plan');
      save();
    }
    if (only.has('apply')) {
      section = 'apply';
      results.applyVsGuide = await benchApplyVsGuide(ctx, guideDir);
      stamp('apply');
      save();
    }
  }
  if (only.has('scale')) {
    section = 'scale';
    // With --merge, sizes this run does not measure keep their earlier figures.
    const kept = (previous?.scaling ?? []).filter((p) => !sizes.includes(p.clusters));
    results.scaling = kept;
    for (const n of sizes) {
      results.scaling = [...results.scaling.filter((p) => p.clusters !== n), await benchScalePoint(ctx, n)].sort((x, y) => x.clusters - y.clusters);
      stamp('scale');
      save();
    }
  }
  if (only.has('lock')) {
    section = 'lock';
    results.lockTakeover = await benchLockTakeover(ctx, { durations: opt['lease-durations'].split(',').map(Number), runs: Number(opt['lock-runs']) });
    stamp('lock');
    save();
  }
  results.finishedAt = new Date().toISOString();
  save();
  process.stdout.write(`\n${renderTables(results)}\nmachine: ${JSON.stringify(results.machine)}\nload average (1 min): ${JSON.stringify(results.loadAverage1m)}\nresults: ${opt.out}\n`);
} finally {
  clearInterval(sampler);
  await env?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
