// Whole meshctl commands through the real entry point, main(argv, io, ports), against
// in-memory clusters (FakeCluster), a fixed istioctl rendering and a fixed clock. The state
// backend and trust are the real ones, in a temporary directory beside mesh.yaml, so tests
// can look at the state file as a user would.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { defaultPorts, type Ports } from '../../../src/cli/ports.js';
import type { KubeObject } from '../../../src/kube/object.js';
import type { Istioctl } from '../../../src/render/istioctl.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { configMap, crd, deployment, serviceAccount } from '../support/mesh-fixtures.js';

/** Istio's guide in its smallest form: one primary, no shared root (one cluster needs none). */
export const singlePrimaryMesh = `apiVersion: meshctl.io/v1alpha1
kind: Mesh
meshID: mesh1
istio:
  version: "1.31.0"
networks: [network1]
trust:
  none: {}
clusters:
  cluster1: { context: cluster1, role: primary, network: network1 }
`;

/** What the fake istioctl renders for any IstioOperator: the CRDs the crds unit waits for, and istiod. */
export function renderedControlPlane(): KubeObject[] {
  return [crd('gateways.networking.istio.io'), crd('virtualservices.networking.istio.io'), serviceAccount(), configMap(), deployment()];
}

export interface World {
  /** The directory holding mesh.yaml (and, once applied, meshctl.state.json). */
  readonly dir: string;
  readonly stateFile: string;
  readonly cluster: FakeCluster;
  readonly ports: Ports;
}

export function world(meshYaml = singlePrimaryMesh): World {
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-cli-'));
  writeFileSync(join(dir, 'mesh.yaml'), meshYaml);
  const cluster = new FakeCluster('cluster1');
  const istioctl: Istioctl = { binary: 'istioctl', version: '1.31.0', render: async () => renderedControlPlane() };
  const ports: Ports = {
    ...defaultPorts(),
    // ClusterClient's close() ends its HTTP/2 session; a fake has none.
    connect: () => Object.assign(cluster.asClient(), { close: () => undefined }),
    istioctl: async (o) => ({ ...istioctl, version: o.wantVersion }),
    now: () => new Date('2026-01-02T03:04:05.000Z'),
  };
  return { dir, stateFile: join(dir, 'meshctl.state.json'), cluster, ports };
}

export interface Result {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CapturedIO {
  readonly io: CliIO;
  readonly out: () => string;
  readonly err: () => string;
}

/** Streams that keep what is written; no terminal unless `tty` (then `answer` is typed at the prompt). */
export function capturedIO(o: { cwd: string; env?: Record<string, string>; tty?: boolean; answer?: string }): CapturedIO {
  const stream = () => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = o.tty ?? false;
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString()));
    return { s, text: () => text };
  };
  const out = stream();
  const err = stream();
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = o.tty ?? false;
  if (o.answer !== undefined) stdin.end(`${o.answer}\n`);
  return { io: { stdout: out.s, stderr: err.s, stdin, env: o.env ?? {}, cwd: o.cwd }, out: out.text, err: err.text };
}

/** `meshctl ...argv` in the world's directory. */
export async function meshctl(w: Pick<World, 'dir' | 'ports'>, argv: readonly string[], o: { tty?: boolean; answer?: string; env?: Record<string, string> } = {}): Promise<Result> {
  const c = capturedIO({ cwd: w.dir, ...o });
  const code = await main(argv, c.io, w.ports);
  return { code, out: c.out(), err: c.err() };
}

export interface StateOnDisk {
  readonly serial: number;
  readonly mtimeMs: number;
  readonly objects: readonly string[];
}

/** The state file as `cat` would show it; null when there is none. */
export function stateOnDisk(w: Pick<World, 'stateFile'>): StateOnDisk | null {
  if (!existsSync(w.stateFile)) return null;
  const state = JSON.parse(readFileSync(w.stateFile, 'utf8')) as { serial: number; objects: Record<string, unknown> };
  return { serial: state.serial, mtimeMs: statSync(w.stateFile).mtimeMs, objects: Object.keys(state.objects).sort() };
}

/** The addresses the fake cluster holds, sorted. */
export function liveAddresses(w: Pick<World, 'cluster'>): string[] {
  return [...w.cluster.objects.keys()].sort();
}
