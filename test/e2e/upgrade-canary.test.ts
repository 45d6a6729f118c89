// A canary upgrade by revision on real API servers and real istiods, for the guide's mesh (in
// phases) and for three primaries on three networks (in one apply). The mesh starts at the earlier
// Istio that tools/bins/build.sh builds, revisioned, with the revision tag `default` (what
// namespaces labelled istio-injection=enabled or istio.io/rev=default are injected by); then
// mesh.yaml names the pinned Istio and a new revision. What a user checks at each step: which
// istiods run (the runner starts a real pilot-discovery of the image's version per Deployment),
// where `istioctl tag list` says the tag points, that `kubectl get` finds nothing of the old
// revision once it is gone, an empty plan, and a passing verify.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, e2eEnvironment, eventually } from '../harness/e2e.js';
import { useIstiodRunner, type IstiodRunnerHandle } from '../harness/istiod/e2e.js';
import { meshctl } from './support/meshctl.js';
import { freshMeshDir } from './support/mesh-dir.js';
import { settledApply } from './support/settled.js';
import { PINNED_ISTIO, previousIstio } from './support/istio-versions.js';

const run_ = promisify(execFile);
const guide = resolve(import.meta.dirname, '../../examples/primary-remote-multi-network/mesh.yaml');
const multiPrimary = resolve(import.meta.dirname, '../../examples/multi-primary-multi-network/mesh.yaml');
const NEW = PINNED_ISTIO;
const revisionOf = (version: string) => version.replace(/\./g, '-');

interface PlanJson {
  summary: { add: number; change: number; destroy: number };
  resource_changes: { address: string; change: { actions: string[] } }[];
  units: { id: string; removal: boolean; depends_on: string[] }[];
}

/** `istioctl tag list` as a user runs it: tag → revision. */
async function tags(context: string): Promise<Record<string, string>> {
  const { stdout } = await run_(binPath('istioctl'), ['tag', 'list', '--kubeconfig', e2eEnvironment().kubeconfigPath, '--context', context]);
  const rows = stdout.trim().split('\n').slice(1);
  return Object.fromEntries(rows.map((r) => r.trim().split(/\s+/)).map(([tag, rev]) => [tag!, rev!]));
}

/**
 * Every object of every listable kind labelled with the revision (`kubectl get … -l
 * istio.io/rev=<rev>`), but what Kubernetes keeps as a Deployment's history: a gateway's old
 * ReplicaSets keep their old pod labels (revisionHistoryLimit), owned by the Deployment that stays.
 */
async function objectsOfRevision(context: string, revision: string): Promise<string[]> {
  const k = ['--kubeconfig', e2eEnvironment().kubeconfigPath, '--context', context];
  const kinds = (await run_(binPath('kubectl'), [...k, 'api-resources', '--verbs=list', '-o', 'name'])).stdout.trim().split('\n').join(',');
  const { stdout } = await run_(binPath('kubectl'), [...k, 'get', kinds, '-A', '-l', `istio.io/rev=${revision}`, '-o', 'json'], { maxBuffer: 64 << 20 });
  const items = (JSON.parse(stdout) as { items: { kind: string; metadata: { name: string; namespace?: string; ownerReferences?: { kind: string }[] } }[] }).items;
  return items.filter((o) => !(o.kind === 'ReplicaSet' && o.metadata.ownerReferences?.some((r) => r.kind === 'Deployment'))).map((o) => `${o.kind}/${o.metadata.namespace ?? '_'}/${o.metadata.name}`);
}

function canary(m: { name: string; example: string; clusters: readonly string[]; primaries: readonly string[]; phased: boolean }): void {
  describe(`a canary upgrade of the ${m.name} to the pinned Istio, ${m.phased ? 'in phases (keepRevisions)' : 'in one apply'}`, () => {
    let dir: string;
    let from: string;
    let runner: IstiodRunnerHandle;
    const timings: string[] = [];
    const env = () => ({ MESHCTL_ISTIOCTL: '', MESHCTL_ISTIOCTL_DIR: dirname(binPath('istioctl')) });
    const run = (...args: string[]) => meshctl(args, { cwd: dir, env: env() });
    const write = (version: string, keep: readonly string[] = []) => {
      const istio = [`  version: "${version}"`, `  revision: ${revisionOf(version)}`, '  revisionTags: [default]', ...(keep.length ? [`  keepRevisions: [${keep.join(', ')}]`] : [])].join('\n');
      writeFileSync(join(dir, 'mesh.yaml'), readFileSync(m.example, 'utf8').replace(`  version: "${NEW}"`, istio));
    };
    const plan = async (): Promise<PlanJson> => {
      const r = await run('plan', '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as PlanJson;
    };
    const istiods = (cluster: string) =>
      runner
        .state()
        .processes.filter((p) => p.cluster === cluster && (p.status === 'ready' || p.status === 'starting'))
        .map((p) => `${p.deployment} ${p.version}`)
        .sort();
    const readyIstiod = (cluster: string, deployment: string, version: string) =>
      eventually(
        `${deployment} ${version} ready in ${cluster}`,
        async () => runner.state().processes.find((p) => p.cluster === cluster && p.deployment === deployment && p.version === version && p.status === 'ready'),
        { timeoutMs: 60_000 },
      );

    beforeAll(async () => {
      from = previousIstio();
      runner = await useIstiodRunner();
      dir = await freshMeshDir({ prefix: 'canary', mesh: m.example, clusters: m.clusters });
      write(from);
      await settledApply(run, timings, `install ${from} as ${revisionOf(from)}`);
      for (const c of m.primaries) await readyIstiod(c, `istiod-${revisionOf(from)}`, from);
      for (const c of m.clusters) expect(await tags(c)).toEqual({ default: revisionOf(from) });
    });
    afterAll(async () => {
      process.stderr.write(`[upgrade-canary] ${m.name}, ${from} → ${NEW}: ${timings.join('; ')}\n`);
      if (dir) {
        await run('destroy', '--auto-approve');
        rmSync(dir, { recursive: true, force: true });
      }
      await runner?.stop();
    });

    const oldRev = () => revisionOf(from);
    const newRev = revisionOf(NEW);

    if (m.phased) {
      it('phase 1: installs the new revision beside the old one and moves the tag to it, removing nothing', async () => {
        write(NEW, [oldRev()]);
        const p = await plan();
        timings.push(`phase 1 plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
        expect(p.summary.destroy).toBe(0);
        expect(p.units.filter((u) => u.removal)).toEqual([]);
        const order = p.units.map((u) => u.id);
        for (const c of m.clusters) expect(order.indexOf(`${c}/control-plane/${newRev}`)).toBeLessThan(order.indexOf(`${c}/revision-tags`));
        expect(p.units.find((u) => u.id === 'cluster2/revision-tags')!.depends_on).toContain('cluster1/remote-secret/cluster2');

        await settledApply(run, timings, 'phase 1 (new revision, tag moved)');
        for (const c of m.primaries) {
          await readyIstiod(c, `istiod-${newRev}`, NEW);
          // The old istiod still serves what it injected.
          expect(istiods(c)).toEqual([`istiod-${oldRev()} ${from}`, `istiod-${newRev} ${NEW}`].sort());
        }
        for (const c of m.clusters) {
          expect(await tags(c)).toEqual({ default: newRev });
          expect(await objectsOfRevision(c, oldRev())).not.toEqual([]);
        }
      });

      it('phase 2: with the entry dropped, removes the old revision and nothing else; no object of it is left', async () => {
        write(NEW);
        const p = await plan();
        timings.push(`phase 2 plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
        expect(p.summary.add).toBe(0);
        expect(p.summary.change).toBe(0);
        expect(
          p.units
            .filter((u) => u.removal)
            .map((u) => u.id)
            .sort(),
        ).toEqual(m.clusters.map((c) => `${c}/control-plane/${oldRev()}`));
        await settledApply(run, timings, 'phase 2 (old revision removed)');
        for (const c of m.clusters) {
          expect(await objectsOfRevision(c, oldRev())).toEqual([]);
          expect(await tags(c)).toEqual({ default: newRev });
        }
        for (const c of m.primaries) await eventually(`only istiod-${newRev} running in ${c}`, async () => (istiods(c).join() === `istiod-${newRev} ${NEW}` ? true : undefined), { timeoutMs: 30_000 });
      });
    } else {
      it('installs the new revision, moves the tag once it is rolled out, and removes the old revision last, in one apply', async () => {
        write(NEW);
        const p = await plan();
        timings.push(`plan ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.destroy} to destroy`);
        const order = p.units.map((u) => u.id);
        for (const c of m.clusters) {
          expect(order.indexOf(`${c}/control-plane/${newRev}`)).toBeLessThan(order.indexOf(`${c}/revision-tags`));
          expect(p.units.find((u) => u.id === `${c}/control-plane/${oldRev()}`)).toMatchObject({ removal: true });
        }
        // Every removal after every unit that stays.
        const firstRemoval = p.units.findIndex((u) => u.removal);
        expect(p.units.slice(firstRemoval).every((u) => u.removal)).toBe(true);

        const applied = await settledApply(run, timings, 'one apply', ['--json']);
        const events = applied.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; hook?: { unit: string } });
        const at = (type: string, unit: string) => events.findIndex((e) => e.type === type && e.hook?.unit === unit);
        for (const c of m.clusters) {
          // The old istiod is removed only after the tag has moved to the new one, which waited for its rollout.
          expect(at('apply_complete', `${c}/revision-tags`)).toBeGreaterThan(at('apply_complete', `${c}/control-plane/${newRev}`));
          expect(at('apply_start', `${c}/control-plane/${oldRev()}`)).toBeGreaterThan(at('apply_complete', `${c}/revision-tags`));
          expect(await objectsOfRevision(c, oldRev())).toEqual([]);
          expect(await tags(c)).toEqual({ default: newRev });
        }
        for (const c of m.primaries) {
          await readyIstiod(c, `istiod-${newRev}`, NEW);
          await eventually(`only istiod-${newRev} running in ${c}`, async () => (istiods(c).join() === `istiod-${newRev} ${NEW}` ? true : undefined), { timeoutMs: 30_000 });
        }
      });
    }
  });
}

canary({ name: 'guide mesh (primary-remote, two networks)', example: guide, clusters: ['cluster1', 'cluster2'], primaries: ['cluster1'], phased: true });
canary({ name: 'multi-primary mesh on three networks', example: multiPrimary, clusters: ['cluster1', 'cluster2', 'cluster3'], primaries: ['cluster1', 'cluster2', 'cluster3'], phased: false });
