// An in-place Istio upgrade on real API servers and real istiods, for the guide's mesh (a primary
// and its remote on another network) and for three primaries on three networks. Each is applied
// with the earlier Istio that tools/bins/build.sh builds (istioctl-<v> and pilot-discovery-<v>),
// then mesh.yaml's istio.version moves to the pinned one. The plan changes the mesh in place
// (nothing deleted but what the new version no longer renders), the apply waits for finished
// rollouts, the next plan is empty, verify passes, and what runs is the new version: istiod's
// image, the proxy tag the injectors inject (the gateways' proxies are injected), and the
// pilot-discovery process the runner started for each new istiod. The earlier Istio is a 1.31
// development build (1.31.0-dev), the one earlier istio.io/istio whose dependencies the module
// proxy here serves (docs/test-clusters.md).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, eventually, kubeConfig } from '../harness/e2e.js';
import { useIstiodRunner, type IstiodRunnerHandle } from '../harness/istiod/e2e.js';
import { meshctl, type RunResult } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';
import { settledApply } from './support/settled.js';
import { PINNED_ISTIO, previousIstio } from './support/istio-versions.js';

const guide = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const multiPrimary = resolve(import.meta.dirname, '../../examples/multi-primary-multi-network/mesh.yaml');
const NEW = PINNED_ISTIO;

interface PlanJson {
  summary: { add: number; change: number; destroy: number };
  resource_changes: { address: string; cluster: string; change: { actions: string[] } }[];
  units: { id: string; removal: boolean }[];
  notices: { kind: string; address?: string }[];
}

const images = async (ctx: string, name: string) =>
  ((await kubeConfig(ctx).makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name, namespace: 'istio-system' })).spec!.template.spec!.containers ?? []).map((c) => c.image);

/** global.tag in the sidecar injector's values: the proxy version injected from now on. */
const injectorTag = async (ctx: string) => {
  const cm = await kubeConfig(ctx).makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ name: 'istio-sidecar-injector', namespace: 'istio-system' });
  return (JSON.parse(cm.data!['values']!) as { global: { tag: string } }).global.tag;
};

function upgradeInPlace(m: { name: string; example: string; clusters: readonly string[]; primaries: readonly string[]; remotes: readonly string[] }): void {
  describe(`an in-place upgrade of the ${m.name} to the pinned Istio`, () => {
    let dir: string;
    let from: string;
    const env = () => ({ MESHCTL_ISTIOCTL: '', MESHCTL_ISTIOCTL_DIR: dirname(binPath('istioctl')) });
    const run = (...args: string[]) => meshctl(args, { cwd: dir, env: env() });
    const setVersion = (v: string) => writeFileSync(join(dir, 'mesh.yaml'), readFileSync(m.example, 'utf8').replace(`version: "${NEW}"`, `version: "${v}"`));
    let runner: IstiodRunnerHandle;
    const timings: string[] = [];
    const timedApply = (what: string, args?: readonly string[]): Promise<RunResult> => settledApply(run, timings, what, args);

    beforeAll(async () => {
      from = previousIstio();
      runner = await useIstiodRunner();
      dir = await freshMeshDir({ prefix: 'upgrade', mesh: m.example, clusters: m.clusters });
      setVersion(from);
      await timedApply(`install ${from}`);
      expect(JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8')).istio).toEqual({ version: from });
      for (const c of m.primaries) {
        expect(await images(c, 'istiod')).toEqual([`docker.io/istio/pilot:${from}`]);
        expect(await injectorTag(c)).toBe(from);
      }
    });
    afterAll(async () => {
      process.stderr.write(`[upgrade-in-place] ${m.name}, ${from} → ${NEW}: ${timings.join('; ')}\n`);
      if (dir) {
        await run('destroy', '--auto-approve');
        rmSync(dir, { recursive: true, force: true });
      }
      await runner?.stop();
    });

    it(`plans the upgrade in place, CRDs before the control plane; applies it; the mesh runs ${NEW} and verify passes`, async () => {
      setVersion(NEW);
      const plan = await run('plan', '--json');
      expect(plan.code, plan.stderr).toBe(0);
      const p = JSON.parse(plan.stdout) as PlanJson;
      timings.push(`plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
      const acting = p.resource_changes.filter((c) => c.change.actions[0] !== 'no-op');
      // In place: no unit is taken down, the namespaces and cacerts stay.
      expect(p.units.filter((u) => u.removal)).toEqual([]);
      const deleted = acting.filter((c) => c.change.actions.includes('delete')).map((c) => c.address);
      const order = p.units.map((u) => u.id);
      for (const c of m.clusters) {
        expect(deleted).not.toContain(`${c}/Namespace/_/istio-system`);
        expect(order.indexOf(`${c}/crds`)).toBeLessThan(order.indexOf(`${c}/control-plane`));
      }
      for (const c of m.primaries) {
        expect(acting.map((x) => x.address)).toContain(`${c}/Deployment.apps/istio-system/istiod`);
        expect(p.notices).toContainEqual(expect.objectContaining({ kind: 'restart', address: `${c}/Deployment.apps/istio-system/istiod` }));
      }
      // CRDs, each primary's control plane, the remotes' configuration, then the gateways: the
      // east-west gateway carrying the remotes' control-plane traffic after the remotes.
      for (const r of m.remotes) {
        expect(order.indexOf('cluster1/control-plane')).toBeLessThan(order.indexOf(`${r}/control-plane`));
        expect(order.indexOf(`${r}/control-plane`)).toBeLessThan(order.indexOf('cluster1/eastwest-gateway'));
      }

      const applied = await timedApply(`upgrade ${from} → ${NEW}`, ['--json']);
      const events = applied.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; hook?: { unit: string } });
      const at = (type: string, unit: string) => events.findIndex((e) => e.type === type && e.hook?.unit === unit);
      for (const c of m.primaries) expect(at('apply_start', `${c}/eastwest-gateway`)).toBeGreaterThan(at('apply_complete', `${c}/control-plane`));
      for (const r of m.remotes) {
        expect(at('apply_start', `${r}/control-plane`)).toBeGreaterThan(at('apply_complete', 'cluster1/control-plane'));
        expect(at('apply_start', 'cluster1/eastwest-gateway')).toBeGreaterThan(at('apply_complete', `${r}/control-plane`));
        expect(at('apply_complete', `${r}/control-plane`)).toBeGreaterThan(-1);
      }
      // Proxies (the gateways' too: their image is "auto") are injected with the tag the primary's
      // injector values carry; a remote's injection webhook calls its primary's istiod.
      for (const c of m.clusters) expect(await images(c, 'istio-eastwestgateway')).toEqual(['auto']);
      for (const c of m.primaries) {
        expect(await images(c, 'istiod')).toEqual([`docker.io/istio/pilot:${NEW}`]);
        expect(await injectorTag(c)).toBe(NEW);
        // The runner now runs the new pilot-discovery for each istiod, the old one stopped.
        const running = await eventually(`the new istiod of ${c} ready`, async () =>
          runner.state().processes.find((x) => x.cluster === c && x.deployment === 'istiod' && x.status === 'ready' && x.version === NEW),
        );
        expect(running.binary).toBe(binPath('pilot-discovery'));
        expect(runner.state().processes.filter((x) => x.cluster === c && x.version === from && (x.status === 'ready' || x.status === 'starting'))).toEqual([]);
      }
      expect(JSON.parse(readFileSync(join(dir, 'meshctl.state.json'), 'utf8')).istio).toEqual({ version: NEW });
    });
  });
}

upgradeInPlace({ name: 'guide mesh (primary-remote, two networks)', example: guide, clusters: ['cluster1', 'cluster2'], primaries: ['cluster1'], remotes: ['cluster2'] });
upgradeInPlace({ name: 'multi-primary mesh on three networks', example: multiPrimary, clusters: ['cluster1', 'cluster2', 'cluster3'], primaries: ['cluster1', 'cluster2', 'cluster3'], remotes: [] });
