// Start-up: `meshctl --version` and `meshctl validate` of a generated 100-cluster mesh.yaml,
// next to a bare `node -e 0` (the floor no Node CLI can go under on this machine).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { meshctl, type BenchContext } from './context.js';
import { alternate, summarize, timed, type Sample, type Summary } from './measure.js';
import { generateMesh } from './topology.js';

export interface StartupResult {
  readonly nodeBaselineMs: Summary;
  /** The same with NODE_EXTRA_CA_CERTS as the environment had it (see bench/run.ts). */
  readonly nodeWithExtraCaCertsMs?: Summary;
  readonly versionMs: Summary;
  readonly validate100Ms: Summary;
  readonly validate100RssMiB: Summary;
}

export async function benchStartup(ctx: BenchContext, opts: { extraCaCerts?: string } = {}): Promise<StartupResult> {
  const dir = join(ctx.workDir, 'startup');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mesh.yaml'), generateMesh(100));
  ctx.log('start-up: node -e 0 | meshctl --version | meshctl validate (100 clusters)');
  const withCa = opts.extraCaCerts ? { ...process.env, NODE_EXTRA_CA_CERTS: opts.extraCaCerts } : undefined;
  const contenders: Record<string, () => Promise<Sample>> = {
    node: () => timed(process.execPath, ['-e', '0']),
    ...(withCa ? { nodeExtraCa: () => timed(process.execPath, ['-e', '0'], { env: withCa }) } : {}),
  };
  contenders['version'] = () => meshctl(ctx, ['--version'], { cwd: dir });
  contenders['validate'] = () => meshctl(ctx, ['validate'], { cwd: dir });
  const s = await alternate(contenders, { runs: Math.max(ctx.runs, 9), warmup: ctx.warmup, log: ctx.log });
  return {
    nodeBaselineMs: summarize(s['node']!.map((x) => x.wallMs)),
    ...(s['nodeExtraCa'] ? { nodeWithExtraCaCertsMs: summarize(s['nodeExtraCa'].map((x) => x.wallMs)) } : {}),
    versionMs: summarize(s['version']!.map((x) => x.wallMs)),
    validate100Ms: summarize(s['validate']!.map((x) => x.wallMs)),
    validate100RssMiB: summarize(s['validate']!.map((x) => x.maxRssKiB / 1024)),
  };
}
