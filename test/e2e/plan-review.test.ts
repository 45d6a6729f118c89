// Plans reviewed in CI: saved plans applied exactly or refused when stale (saying what
// changed), drift reports, machine-readable output — and bad input that changes nothing.
import { readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnvironment, kubeConfig } from '../harness/e2e.js';
import { meshctl } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';

const example = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const api = (ctx: string) => k8s.KubernetesObjectApi.makeApiClient(kubeConfig(ctx));
const gatewayRef = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'cross-network-gateway', namespace: 'istio-system' } };
const gatewayAddress = 'cluster1/Gateway.networking.istio.io/istio-system/cross-network-gateway';

async function setGatewayPort(port: number): Promise<void> {
  const gw = (await api('cluster1').read(gatewayRef)) as any;
  gw.spec.servers[0].port.number = port;
  await api('cluster1').replace(gw);
}

async function gatewayPort(): Promise<number> {
  return ((await api('cluster1').read(gatewayRef)) as any).spec.servers[0].port.number;
}

describe('plan review: saved plans, drift, machine-readable plans', () => {
  let dir: string;
  const run = (...args: string[]) => meshctl(args, { cwd: dir });
  const stateText = () => readFileSync(join(dir, 'meshctl.state.json'), 'utf8');

  beforeAll(async () => {
    dir = await freshMeshDir({ prefix: 'review', mesh: example, clusters: ['cluster1', 'cluster2'] });
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
  afterAll(async () => {
    if (dir) {
      await run('destroy', '--auto-approve');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports drift with --refresh-only, in every format, without proposing anything else', async () => {
    const clean = await run('plan', '--refresh-only', '--detailed-exitcode');
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('No drift.');

    await setGatewayPort(15999);
    const human = await run('plan', '--refresh-only', '--detailed-exitcode');
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('changes made outside meshctl');
    expect(human.stdout).toContain('~ Gateway.networking.istio.io istio-system/cross-network-gateway');
    expect(human.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

    const json = JSON.parse((await run('plan', '--refresh-only', '--json')).stdout);
    expect(json.mode).toBe('refresh-only');
    expect(json.drift).toEqual([gatewayAddress]);
    const md = (await run('plan', '--refresh-only', '--format', 'markdown')).stdout;
    expect(md.startsWith('<!-- meshctl-plan:mesh1 -->')).toBe(true);
    expect(md).toContain('-        number: 15999');
  });

  it('refuses a saved plan when an object it touches changed, naming it, and changes nothing', async () => {
    const saved = await run('plan', '--out', 'p.json', '--detailed-exitcode');
    expect(saved.code, saved.stdout + saved.stderr).toBe(2);
    const planText = readFileSync(join(dir, 'p.json'), 'utf8');
    expect(JSON.parse(planText).format).toBe('meshctl-plan');
    const shown = await run('show', 'p.json', '--json');
    expect(JSON.parse(shown.stdout).summary).toEqual({ add: 0, change: 1, destroy: 0, forget: 0 });

    await setGatewayPort(15888); // someone else changes it after review
    const before = stateText();
    const refused = await run('apply', 'p.json');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Object changed since the plan');
    expect(refused.stderr).toContain(gatewayAddress);
    expect(refused.stderr).toMatch(/resourceVersion \d+ → \d+/);
    expect(await gatewayPort()).toBe(15888);
    expect(stateText()).toBe(before);
  });

  it('applies a fresh saved plan exactly, without a prompt, and streams JSON events', async () => {
    expect((await run('plan', '--out', 'p2.json')).code).toBe(0);
    const applied = await run('apply', 'p2.json', '--json');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const events = applied.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; changes?: { operation: string } });
    expect(events[0]!.type).toBe('version');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['planned_change', 'apply_start', 'apply_complete', 'change_summary']));
    // The apply's summary, then verify's checks, which end the stream.
    const summary = events.findIndex((e) => e.type === 'change_summary' && e.changes?.operation === 'apply');
    expect(events[summary]).toMatchObject({ type: 'change_summary', changes: { operation: 'apply', change: 1 } });
    expect(events.slice(summary + 1).every((e) => e.type === 'verify_check' || e.type === 'verify_summary')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'verify_summary', counts: { fail: 0, error: 0 } });
    expect(await gatewayPort()).toBe(15443);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('refuses a saved plan after mesh.yaml changed or another apply ran', async () => {
    await setGatewayPort(15777);
    expect((await run('plan', '--out', 'p3.json')).code).toBe(0);
    writeFileSync(join(dir, 'mesh.yaml'), `${readFileSync(join(dir, 'mesh.yaml'), 'utf8')}\n# edited after review\n`);
    const r = await run('apply', 'p3.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mesh\.yaml/);
    expect(await gatewayPort()).toBe(15777);

    expect((await run('apply', '--auto-approve')).code).toBe(0); // another apply moves the state on
    const stale = await run('apply', 'p3.json');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/serial/i);
  });

  it('reports a CRD edited outside meshctl, though unchanged CRDs are read by their metadata only', async () => {
    const s = JSON.parse(stateText()) as { objects: Record<string, { cluster: string; ref: { kind: string; name: string }; generation?: number }> };
    const crds = Object.values(s.objects).filter((o) => o.ref.kind === 'CustomResourceDefinition' && o.cluster === 'cluster1');
    expect(crds.length).toBeGreaterThan(10);
    // What lets a plan skip the CRDs' bodies: the generation each apply answered with.
    for (const c of crds) expect(c.generation, c.ref.name).toBeGreaterThan(0);
    const stats = (r: { stderr: string }) => JSON.parse(/^MESHCTL_STATS (.*)$/m.exec(r.stderr)![1]!) as { requests: number; retries: number; responseKiB: number };
    // Requests meshctl chose to send: a resend the server asked for (Retry-After, while the edited
    // CRD's storage restarts) is the server's doing, not the plan's.
    const chosen = (r: { stderr: string }) => stats(r).requests - stats(r).retries;
    const noop = await meshctl(['plan', '--detailed-exitcode'], { cwd: dir, env: { MESHCTL_STATS: '1' } });
    expect(noop.code, noop.stdout + noop.stderr).toBe(0);

    const name = 'gateways.networking.istio.io';
    const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } };
    const live = (await api('cluster1').read(ref)) as any;
    live.spec.names.shortNames = [...(live.spec.names.shortNames ?? []), 'drifted'];
    await api('cluster1').replace(live);
    const drift = await meshctl(['plan', '--detailed-exitcode'], { cwd: dir, env: { MESHCTL_STATS: '1' } });
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    // The edited CRD's generation moved, so cluster1's CRDs were listed in full this time: one
    // request more, and their bodies (well over a megabyte with status and managedFields).
    expect(chosen(drift)).toBe(chosen(noop) + 1);
    expect(stats(drift).responseKiB - stats(noop).responseKiB).toBeGreaterThan(500);
    expect(drift.stdout).toContain(`~ CustomResourceDefinition.apiextensions.k8s.io ${name}  (changed outside meshctl)`);
    expect(drift.stdout).toContain('-      - drifted');
    expect(drift.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

    const repair = await run('apply', '--auto-approve');
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    expect(((await api('cluster1').read(ref)) as any).spec.names.shortNames).not.toContain('drifted');
    const after = await run('plan', '--detailed-exitcode');
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it('refuses a state file that belongs to another mesh, changing nothing', async () => {
    const other = join(dir, 'other.state.json');
    const s = JSON.parse(stateText());
    writeFileSync(other, JSON.stringify({ ...s, meshID: 'another-mesh' }));
    const r = await run('plan', '--state', other);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('State file belongs to another mesh');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('names the cluster and context when a context is unknown or a cluster unreachable', async () => {
    const env = e2eEnvironment();
    const kc = parse(readFileSync(env.kubeconfigPath, 'utf8'));
    kc.clusters.push({ name: 'dead', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } });
    kc.contexts.push({ name: 'dead', context: { cluster: 'dead', user: kc.contexts[0].context.user } });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, stringify(kc));
    const mesh = parse(readFileSync(join(dir, 'mesh.yaml'), 'utf8'));
    const stateBefore = stateText();
    const stateMtime = statSync(join(dir, 'meshctl.state.json')).mtimeMs;

    mesh.clusters.cluster2.context = 'no-such-context';
    writeFileSync(join(dir, 'bad-context.yaml'), stringify(mesh));
    const unknown = await run('plan', '-f', 'bad-context.yaml', '--kubeconfig', kubeconfig, '--state', 'meshctl.state.json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown kube context');
    expect(unknown.stderr).toContain('Cluster "cluster2" names context "no-such-context"');

    mesh.clusters.cluster2.context = 'dead';
    writeFileSync(join(dir, 'dead.yaml'), stringify(mesh));
    const dead = await run('apply', '--auto-approve', '-f', 'dead.yaml', '--kubeconfig', kubeconfig, '--state', 'meshctl.state.json');
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain('Cluster unreachable');
    expect(dead.stderr).toContain('cluster "cluster2" (context "dead", server https://127.0.0.1:9)');
    expect(stateText()).toBe(stateBefore);
    expect(statSync(join(dir, 'meshctl.state.json')).mtimeMs).toBe(stateMtime);
  });
});
