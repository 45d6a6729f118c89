// The objects a plan of an applied mesh compares, exactly as meshctl resolves them (its own
// modules: mesh.yaml → model → istioctl render → outputs read from the live clusters), written as
// one multi-document YAML per cluster for `kubectl diff --server-side`. Secrets carry their real
// data (kubectl diff masks Secret values in its output, as meshctl masks them with digests), so
// the files are written 0600 into a private temporary directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultPorts } from '../src/cli/ports.js';
import { loadInputs, withTrust } from '../src/cli/session.js';
import { readTrust } from '../src/cli/trust-material.js';
import type { KubeObject } from '../src/kube/object.js';
import { observe } from '../src/observe/observe.js';
import { wantedOf } from '../src/observe/wanted.js';
import { openIstioctl } from '../src/render/istioctl.js';
import { outputsFromLive } from '../src/render/outputs.js';
import { resolveUnit } from '../src/render/resolve.js';

export interface Exported {
  /** cluster (context) → file */
  readonly files: Map<string, string>;
  readonly objects: number;
}

export async function exportRendered(meshDir: string, outDir: string, env: NodeJS.ProcessEnv): Promise<Exported> {
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env, cwd: meshDir };
  const inputs = await loadInputs({ file: 'mesh.yaml' }, { io, ports: defaultPorts() });
  try {
    const { desired, topology, clients, prior } = inputs;
    const istioctl = await openIstioctl({ env, wantVersion: topology.istio.version });
    const trust = await readTrust(topology, new Date());
    const ctx = (outputs: Parameters<typeof resolveUnit>[1]['outputs']) => ({ outputs, render: istioctl.render, serverOf: (c: string) => clients.get(c)!.server });
    const resolveAll = async (c: ReturnType<typeof ctx>) => new Map(await Promise.all(desired.units.map(async (u) => [u.id, await resolveUnit(u, c)] as const)));
    // The plan's two passes: what exists at all, then with the outputs the clusters show.
    const first = await resolveAll(ctx(withTrust(new Map(), trust)));
    const live = await observe(clients, wantedOf(first, desired.units, prior));
    const resolved = await resolveAll(ctx(withTrust(outputsFromLive(desired, live.objects), trust)));
    const perCluster = new Map<string, KubeObject[]>();
    for (const u of desired.units) perCluster.set(u.cluster, [...(perCluster.get(u.cluster) ?? []), ...(resolved.get(u.id) ?? [])]);
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    const files = new Map<string, string>();
    let objects = 0;
    for (const [cluster, objs] of perCluster) {
      const text = objs.map((o) => stringify(o)).join('---\n');
      if (text.includes('$unknown')) throw new Error(`${cluster}: a value is still unknown; is the mesh applied?`);
      const context = topology.clusters.find((c) => c.name === cluster)!.context;
      const file = join(outDir, `${context}.yaml`);
      writeFileSync(file, text, { mode: 0o600 });
      files.set(context, file);
      objects += objs.length;
    }
    return { files, objects };
  } finally {
    for (const c of inputs.clients.values()) c.close();
  }
}
