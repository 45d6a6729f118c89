// The full kill sweep (docs/resume.md): the guide's mesh applied on two local clusters this script
// starts, SIGKILLed right after its k-th state write for every k from 1 to N (N: the writes of a
// clean apply) and after the write that completes it ("last"), each time from reset clusters,
// then applied again, checked against the clean apply (test/harness/crash-after-write-sweep.ts
// says what is checked) and destroyed.
//
//   node --import tsx scripts/kill-sweep.ts [--from 1] [--to N] [--stride 1] [--double K2]
//                                           [--no-destroy] [--out results.json]
//
// --double K2 kills each resume again at its K2-th write before the final apply (a double crash).
// A k the apply did not reach (its writes vary by a few from run to run) is reported apart.
// Prints one line per kill point and a summary; exits 1 when any kill point did not converge.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBins } from '../test/harness/bins.js';
import { cleanReference, describeResult, killPoint, strideKillPoints, type KillAt, type KillPointResult, type SweepEnv } from '../test/harness/crash-after-write-sweep.js';
import { startEnvironment } from '../test/harness/environment.js';

const root = resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    from: { type: 'string', default: '1' },
    to: { type: 'string' },
    stride: { type: 'string', default: '1' },
    double: { type: 'string' },
    'no-destroy': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const started = Date.now();

log('building meshctl');
const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
const binDir = await ensureBins({ onProgress: (line) => process.stderr.write(`${line}\n`) });
log('starting two local clusters');
const environment = await startEnvironment({ binDir, count: 2 });
const env: SweepEnv = {
  kubectl: { binary: join(binDir, 'kubectl'), kubeconfig: environment.info.kubeconfigPath },
  istioctl: join(binDir, 'istioctl'),
  contexts: ['cluster1', 'cluster2'],
  mesh: join(root, 'examples/primary-remote-multi-network/mesh.yaml'),
};

const results: KillPointResult[] = [];
let exitCode = 0;
try {
  log('clean apply (counting its state writes)');
  const ref = await cleanReference(env, { destroy: true });
  const n = ref.writes;
  log(`clean apply: N = ${n} state writes, ${ref.addresses.length} objects in ${ref.units.length} units; apply ${ref.ms.apply} ms, destroy ${ref.ms.destroy} ms, reset ${ref.ms.reset} ms`);
  const from = Number(opt.from);
  const to = Math.min(Number(opt.to ?? n), n);
  const points: KillAt[] = [...strideKillPoints(n + 1, Number(opt.stride)).filter((k) => k >= from && k <= to), 'last'];
  for (const k of points) {
    const kills = opt.double ? [k, Number(opt.double)] : [k];
    const r = await killPoint(env, ref, { kills, destroy: !opt['no-destroy'] });
    results.push(r);
    log(`${describeResult(r)} [load ${loadavg()[0].toFixed(1)}]`);
  }
  const count = (o: KillPointResult['outcome']) => results.filter((r) => r.outcome === o).length;
  const converged = count('converged');
  const tried = results.length - count('not-reached');
  const totalMs = Date.now() - started;
  const sweepMs = results.reduce((a, r) => a + r.ms.total, 0);
  log(
    `summary: N = ${n}; ${tried} kill points (${points.join(',').replace(/^(\d+),.*,(\d+),last$/, '$1..$2, last')}, stride ${opt.stride}${opt.double ? `, each resume killed again at write ${opt.double}` : ''}), ${converged} converged, ${count('failed')} did not, ${count('not-reached')} not reached; ` +
      `sweep ${(sweepMs / 1000).toFixed(0)} s (${(sweepMs / 1000 / Math.max(1, results.length)).toFixed(1)} s per kill point), whole run ${(totalMs / 1000).toFixed(0)} s on ${cpus().length} cores`,
  );
  for (const r of results.filter((x) => x.outcome === 'failed')) log(`not converged: k=${r.kills.join('→')}: ${r.problems[0]?.split('\n')[0]}`);
  if (opt.out) writeFileSync(opt.out, `${JSON.stringify({ n, reference: { ms: ref.ms, objects: ref.addresses.length, units: ref.units.length }, totalMs, results }, null, 2)}\n`);
  if (count('failed') > 0) exitCode = 1;
} finally {
  await environment.stop();
}
process.exit(exitCode);
