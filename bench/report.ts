// The results as Markdown tables (printed at the end of a run; docs/benchmarks.md quotes them).
import type { BenchResults } from './run.js';
import type { Summary } from './measure.js';

const s = (x: Summary | undefined, unit = 'ms') => (x ? `${fmt(x.median)} ${unit} (${fmt(x.min)}–${fmt(x.max)})` : '—');
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(1));
/** Bytes as MiB or KiB (1024-based, as the Kubernetes backend's 768 KiB chunks are). */
const bytes = (n: number | undefined) => (n === undefined ? '–' : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : `${(n / 1024).toFixed(0)} KiB`);
const sec = (x: Summary | undefined) => (x ? `${(x.median / 1000).toFixed(2)} s (${(x.min / 1000).toFixed(2)}–${(x.max / 1000).toFixed(2)})` : '—');

export function renderTables(r: BenchResults): string {
  const out: string[] = [];
  if (r.planVsDiff) {
    const p = r.planVsDiff;
    out.push(
      '| No-op plan, guide topology (2 clusters, ' + p.objects + ' objects) | median (min–max) |',
      '|---|---|',
      `| meshctl plan --detailed-exitcode | ${sec(p.meshctlPlanMs)} |`,
      `| kubectl diff --server-side (both clusters in parallel) | ${sec(p.kubectlDiffMs)} |`,
      `| ratio kubectl / meshctl | **${p.ratio}×** |`,
      `| API requests: meshctl / kubectl | ${p.meshctlRequests} (${Object.values(p.meshctlRequestsPerCluster).join(' + ')}) / ${Object.values(p.kubectlRequests).reduce((a, b) => a + b, 0)} (${Object.values(p.kubectlRequests).join(' + ')}) |`,
      ...(p.meshctlConnections !== undefined ? [`| TLS connections meshctl opened | ${p.meshctlConnections} |`] : []),
      `| peak RSS: meshctl / kubectl (largest process) | ${s(p.meshctlRssMiB, 'MiB')} / ${s(p.kubectlRssMiB, 'MiB')} |`,
      '',
    );
  }
  if (r.applyVsGuide) {
    const a = r.applyVsGuide;
    out.push(
      '| Fresh apply, guide topology | median (min–max) |',
      '|---|---|',
      `| meshctl apply --auto-approve | ${sec(a.meshctlApplyMs)} |`,
      `| the guide's commands (bench/guide.sh) | ${sec(a.guideScriptMs)} |`,
      `| ratio guide / meshctl | **${a.ratio}×** |`,
      `| meshctl: start-up + plan (until the first unit starts) | ${sec(a.meshctlUntilFirstUnitMs)} |`,
      `| meshctl: waiting on readiness (union of wait intervals) | ${sec(a.meshctlWaitingMs)} |`,
      `| meshctl: own overhead (wall − waiting) | ${sec(a.meshctlOverheadMs)} |`,
      `| meshctl: API requests, peak RSS | ${fmt(a.meshctlRequests.median)}, ${s(a.meshctlRssMiB, 'MiB')} |`,
      '',
    );
  }
  if (r.scaling?.length) {
    out.push(
      '| Clusters (primaries + remotes, networks) | objects | state file | gzipped | Kubernetes Secrets | no-op plan | plan requests (per cluster) | plan peak RSS | verify | verify requests | fresh apply | apply requests | apply peak RSS |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const p of r.scaling) {
      const per = Object.values(p.planRequestsPerCluster);
      out.push(
        `| ${p.clusters} (${p.shape.primaries} + ${p.shape.remotes}, ${p.shape.networks}) | ${p.objects} | ${bytes(p.stateBytes)} | ${bytes(p.stateGzipBytes)} | ${p.kubernetesSecrets ?? '–'} | ${sec(p.planMs)} | ${p.planRequests} (${Math.min(...per)}–${Math.max(...per)}) | ${fmt(p.planRssMiB.median)} MiB | ${p.verifyMs ? sec(p.verifyMs) : '–'} | ${p.verifyRequests ?? '–'} | ${sec(p.applyMs)}${p.applyRuns === 1 ? ', 1 run' : `, ${p.applyRuns} runs`} | ${fmt(p.applyRequests.median)} | ${fmt(p.applyRssMiB.median)} MiB |`,
      );
    }
    out.push('');
  }
  if (r.lockTakeover) {
    const l = r.lockTakeover;
    out.push(
      `| Lock takeover after SIGKILL (${l.runsPerCase} runs each) | from the kill to "State lock taken over" | expected |`,
      '|---|---|---|',
      ...l.kubernetes.map(
        (k) =>
          `| Kubernetes Lease, leaseDurationSeconds ${k.leaseDurationSeconds} (renewed every ${fmt(k.renewIntervalMs / 1000)} s) | ${sec(k.takeoverMs)} | ${fmt(k.leaseDurationSeconds - k.renewIntervalMs / 1000)}–${k.leaseDurationSeconds} s + ≤ ${fmt(l.pollMs / 1000)} s |`,
      ),
      `| local lock file, holder's pid gone | ${sec(l.local.takeoverMs)} | at once (the next run's start-up) |`,
      '',
    );
  }
  if (r.startup) {
    const st = r.startup;
    out.push(
      '| Start-up | median (min–max) |',
      '|---|---|',
      `| node -e 0 (floor) | ${s(st.nodeBaselineMs)} |`,
      ...(st.nodeWithExtraCaCertsMs ? [`| node -e 0 with the sandbox's NODE_EXTRA_CA_CERTS (not used for the other rows) | ${s(st.nodeWithExtraCaCertsMs)} |`] : []),
      `| meshctl --version | ${s(st.versionMs)} |`,
      `| meshctl validate, 100 clusters | ${s(st.validate100Ms)}, peak RSS ${fmt(st.validate100RssMiB.median)} MiB |`,
      '',
    );
  }
  return out.join('\n');
}
