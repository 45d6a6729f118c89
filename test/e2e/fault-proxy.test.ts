// The guide's mesh applied through a fault-injection proxy (test/harness/fault-proxy.ts) in
// front of each real API server: 10% of meshctl's requests are reset, dropped with their
// connection, throttled (429), refused (503), stalled or answered slowly. An apply that meets a
// fault it cannot absorb fails like any other and is run again, as a user would; the mesh must
// converge: the state lists exactly what is live (nothing left pending), the next plan is empty
// and verify passes. istiod and the remote secrets use the real addresses (mesh.yaml apiServer).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../harness/e2e.js';
import { FAULT_KINDS, startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { useIstiodRunner, type IstiodRunnerHandle } from '../harness/istiod/e2e.js';
import { freshMeshDir } from './support/mesh-dir.js';
import { meshctl } from './support/meshctl.js';

const guide = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const clusters = ['cluster1', 'cluster2'];
const RATE = 0.1;
const MAX_APPLIES = 6;
// MESHCTL_FAULT_SEED repeats another run's faults.
const SEED = Number(process.env['MESHCTL_FAULT_SEED'] ?? 1000);

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

describe(`the guide's mesh applied through a proxy that injects faults into ${RATE * 100}% of requests`, () => {
  let dir: string;
  let runner: IstiodRunnerHandle;
  const proxies: FaultProxy[] = [];
  const report: string[] = [];

  beforeAll(async () => {
    runner = await useIstiodRunner();
    dir = await freshMeshDir({ prefix: 'faults', mesh: guide, clusters });
    const env = e2eEnvironment();
    const kc = parse(readFileSync(env.kubeconfigPath, 'utf8')) as Kubeconfig;
    const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    const mesh = parse(readFileSync(join(dir, 'mesh.yaml'), 'utf8')) as { clusters: Record<string, { apiServer?: string }> };
    for (const [i, name] of clusters.entries()) {
      const cluster = kc.clusters.find((c) => c.name === name)!;
      const user = kc.users.find((u) => u.name === kc.contexts.find((c) => c.name === name)!.context.user)!;
      const proxy = await startFaultProxy({
        upstream: cluster.cluster.server,
        upstreamCa: b64(cluster.cluster['certificate-authority-data']),
        clientCert: b64(user.user['client-certificate-data']),
        clientKey: b64(user.user['client-key-data']),
        rate: RATE,
        seed: SEED + i,
      });
      proxies.push(proxy);
      // meshctl goes through the proxy; istiod and remote secrets keep the real server.
      cluster.cluster.server = proxy.url;
      cluster.cluster['certificate-authority-data'] = Buffer.from(proxy.caPem).toString('base64');
      mesh.clusters[name]!.apiServer = env.clusters.find((c) => c.context === name)!.server;
    }
    writeFileSync(join(dir, 'faulty-kubeconfig'), stringify(kc), { mode: 0o600 });
    writeFileSync(join(dir, 'mesh.yaml'), stringify(mesh));
  });
  afterAll(async () => {
    process.stderr.write(`[fault-proxy] ${report.join('; ')}\n`);
    if (dir) {
      await meshctl(['destroy', '--auto-approve'], { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    }
    await Promise.all(proxies.map((p) => p.close()));
    await runner?.stop();
  });

  it('converges: the state lists exactly what is live, the next plan is empty, verify passes', async () => {
    const through = ['--kubeconfig', join(dir, 'faulty-kubeconfig')];
    const outcomes: string[] = [];
    let code: number | null = null;
    for (let attempt = 1; attempt <= MAX_APPLIES && code !== 0; attempt++) {
      const r = await meshctl(['apply', '--auto-approve', '--no-color', ...through], { cwd: dir });
      code = r.code;
      outcomes.push(code === 0 ? 'ok' : `exit ${code} (${(/Error: [\s\S]{0,400}/.exec(r.stderr)?.[0] ?? 'no error').replace(/\s+/g, ' ')})`);
      expect(r.stderr).not.toContain('internal error');
    }
    const faults = proxies.map((p) => p.faults());
    const total = Object.fromEntries(FAULT_KINDS.map((k) => [k, faults.reduce((n, f) => n + f[k], 0)]));
    const requests = proxies.reduce((n, p) => n + p.requests(), 0);
    const upstream = proxies.flatMap((p) => p.upstreamErrors());
    report.push(
      `applies: ${outcomes.join(', ')}`,
      `${requests} requests through the proxies`,
      `faults ${JSON.stringify(total)}`,
      `upstream errors: ${upstream.length} ${upstream.slice(0, 5).join(' | ')}`,
    );
    expect(upstream, 'the proxy itself failed to reach a server').toEqual([]);
    expect(code, outcomes.join('; ')).toBe(0);
    expect(Object.values(total).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // The state is consistent: nothing pending (and the empty plan below: every record is live).
    const state = JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8')) as { objects: Record<string, { status: string }> };
    expect(Object.entries(state.objects).filter(([, o]) => o.status !== 'applied')).toEqual([]);
    // Directly (no proxy): nothing to do, and the mesh works.
    const plan = await meshctl(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const verify = await meshctl(['verify', '--no-color'], { cwd: dir });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    // And through the faults as well: a plan survives them (it only reads).
    const again = await meshctl(['plan', '--detailed-exitcode', '--no-color', ...through], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });
});
