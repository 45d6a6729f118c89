// What the state commands share: mesh.yaml and the state backend without the mesh's clusters,
// the state as stored (or a clear error when there is none), and the lock rm and push hold.
import { fail, warning } from '../diagnostics.js';
import { ClusterClient } from '../kube/cluster-client.js';
import type { ConnectOptions } from '../kube/connect.js';
import type { MeshState } from '../state/state.js';
import { meshctlVersion } from '../version.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import type { StateHeader } from '../views/state-words.js';
import type { CliIO } from './io.js';
import type { StateInputOptions } from './options.js';
import type { Ports } from './ports.js';
import { loadConfig, type Config } from './session.js';

/**
 * mesh.yaml and its state backend, its warnings printed. The mesh's clusters are never reached:
 * loadConfig makes a client per cluster, reading each one's kubeconfig context, and the state
 * commands must work where only the state can be reached (a CI job, a laptop without the
 * clusters' credentials). So only the state backend connects as mesh.yaml says (a Kubernetes
 * backend reaches its own cluster); the mesh's clients are stand-ins nothing calls.
 */
export function stateConfig(options: StateInputOptions, ctx: { io: CliIO; ports: Ports }): Config {
  const { io, ports } = ctx;
  const config = loadConfig(options, { io, ports: { ...ports, state: (where, c) => ports.state(where, { ...c, connect: ports.connect }), connect: unreached } });
  if (config.warnings.length) io.stderr.write(renderDiagnostics(config.warnings, { color: stderrColor(io), sources: config.sources }));
  return config;
}

function unreached(o: ConnectOptions): ClusterClient {
  const bug = () => Promise.reject(new Error(`meshctl state reached cluster "${o.cluster}", which the state commands never do. This is a bug in meshctl, please report it.`));
  return new ClusterClient({ cluster: o.cluster, context: o.context, server: 'https://state-commands-reach-no-cluster.invalid', auth: { apply: bug } });
}

/** The state as stored; a clear error when there is none yet. */
export async function existingState(config: Config): Promise<MeshState> {
  const state = await config.state.read();
  if (state) return state;
  fail('No state', `${config.state.where} holds no state: meshctl has not applied this mesh yet, or its state is kept elsewhere. Nothing was changed.`, {
    hint: "The state is where mesh.yaml's state: says (meshctl.state.json beside mesh.yaml by default), or the file --state names.",
  });
}

export function headerOf(config: Config, state: MeshState): StateHeader {
  return { where: config.state.where, meshID: state.meshID, lineage: state.lineage, serial: state.serial };
}

/** Runs `body` holding the state lock, as apply does: lock first, then read. */
export async function withStateLock<T>(config: Config, o: { operation: string; timeoutMs: number; io: CliIO }, body: () => Promise<T>): Promise<T> {
  const { io } = o;
  const warn = (summary: string) => (m: string) => io.stderr.write(renderDiagnostics([warning(summary, m)], { color: stderrColor(io) }));
  const lock = await config.state.lock({
    operation: o.operation,
    version: meshctlVersion,
    timeoutMs: o.timeoutMs,
    onWait: (h) => io.stderr.write(`Waiting up to ${Math.round(o.timeoutMs / 1000)}s for the state lock held by ${h.who} (pid ${h.pid}, "${h.operation}")...\n`),
    onTakeover: warn('State lock taken over'),
    onLost: warn('State lock lost'),
  });
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

export function stderrColor(io: CliIO): boolean {
  return !io.env['NO_COLOR'] && io.stderr.isTTY === true;
}
