// Gathering everything a plan needs (the impure half of `plan`): mesh.yaml, the state file,
// one client per cluster, rendered manifests, live objects, known outputs, trust material.
// The planner itself stays a pure function of what this returns.
import * as path from 'node:path';
import { loadTopology } from '../config/load.js';
import type { StateSettings, Topology } from '../config/topology.js';
import { DiagnosticsError, fail, hasErrors, type Diagnostic } from '../diagnostics.js';
import { buildDesired } from '../model/build.js';
import type { Desired, Unit } from '../model/desired.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { objectAddress, type KubeObject } from '../kube/object.js';
import { maskSecretData } from '../kube/sensitive.js';
import { observe } from '../observe/observe.js';
import { istiodLeftoverLists, wantedOf } from '../observe/wanted.js';
import { losesMesh } from '../planner/istiod-leftovers.js';
import type { Istioctl } from '../render/istioctl.js';
import { outputsFromLive, type OutputValues } from '../render/outputs.js';
import { resolveUnit } from '../render/resolve.js';
import { planMesh } from '../planner/plan-mesh.js';
import type { Plan, PlanMode } from '../planner/plan.js';
import type { StateBackend } from '../state/backend.js';
import type { MeshState } from '../state/state.js';
import { CACERTS_SECRET } from '../trust/material.js';
import { checkLiveTrust } from '../trust/live.js';
import { checkRootKept, recordedCacertsRoots } from '../trust/root-guard.js';
import { meshctlVersion } from '../version.js';
import type { TrustMaterial } from './trust-material.js';
import type { CliIO } from './io.js';
import type { InputOptions } from './options.js';
import type { Ports } from './ports.js';
import { trackClients } from './stats.js';

export interface Inputs extends Config {
  /** The state as read (after the lock, for commands that write). */
  readonly prior: MeshState | null;
}

/** Everything but the state's content: what a command needs before it takes the lock. */
export interface Config {
  readonly topology: Topology;
  readonly desired: Desired;
  readonly state: StateBackend;
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly warnings: readonly Diagnostic[];
  /** file → text, for diagnostics' source excerpts. */
  readonly sources: ReadonlyMap<string, string>;
  /** What the trust port needs: generated material may live beside a Kubernetes state; --new-root. */
  readonly trustInputs: { readonly state: StateSettings; readonly env: NodeJS.ProcessEnv; readonly newRoot: boolean };
}

/** mesh.yaml, model, state, clients. Fails (DiagnosticsError) on any error, changing nothing. */
export async function loadInputs(options: InputOptions, ctx: { io: CliIO; ports: Ports }): Promise<Inputs> {
  const config = loadConfig(options, ctx);
  try {
    return { ...config, prior: await config.state.read() };
  } catch (e) {
    closeConfig(config);
    throw e;
  }
}

/** Ends the connections a Config opened. */
export function closeConfig(config: Config): void {
  config.state.close();
  for (const c of config.clients.values()) c.close();
}

/** mesh.yaml, model, the state backend (not read yet) and clients. */
export function loadConfig(options: InputOptions, ctx: { io: CliIO; ports: Ports }): Config {
  const { io, ports } = ctx;
  const loaded = loadTopology(options.file, { cwd: io.cwd });
  if (!loaded.topology) throw new DiagnosticsErrorWithSources(loaded.diagnostics, loaded.sources);
  const topology = loaded.topology;
  const built = buildDesired(topology);
  if (hasErrors(built.diagnostics)) throw new DiagnosticsErrorWithSources(built.diagnostics, loaded.sources);
  const where = stateSettings(topology, options, io);
  const state = ports.state(where, { meshID: topology.meshID, env: io.env, connect: ports.connect });
  const cache = new Map();
  const clients = new Map(topology.clusters.map((c) => [c.name, ports.connect({ cluster: c.name, context: c.context, kubeconfig: c.kubeconfig ?? options.kubeconfig, env: io.env, cache })]));
  trackClients(clients.values(), io.env);
  const trustInputs = { state: where, env: io.env, newRoot: options.newRoot === true };
  return { topology, desired: built.desired, state, clients, warnings: [...loaded.diagnostics, ...built.diagnostics], sources: loaded.sources, trustInputs };
}

/** mesh.yaml's `state:`, with --state naming another local file. */
function stateSettings(topology: Topology, options: InputOptions, io: CliIO): StateSettings {
  if (options.state === undefined) {
    // --kubeconfig reaches the state's cluster as it reaches the mesh's.
    return topology.state.backend === 'kubernetes' && topology.state.kubeconfig === undefined && options.kubeconfig ? { ...topology.state, kubeconfig: options.kubeconfig } : topology.state;
  }
  if (topology.state.backend !== 'local') {
    fail(
      'Invalid option',
      `--state names a local state file, but ${topology.source.file} keeps the state in Kubernetes (state.kubernetes, context "${topology.state.context}"). Drop --state, or use meshctl state pull / push to move the state between backends.`,
    );
  }
  return { backend: 'local', path: path.resolve(io.cwd, options.state) };
}

export class DiagnosticsErrorWithSources extends DiagnosticsError {
  readonly sources: ReadonlyMap<string, string>;
  constructor(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>) {
    super(diags);
    this.sources = sources;
  }
}

/** A plan and what was gathered to make it, which apply needs again to carry it out. */
export interface PlanContext {
  readonly plan: Plan;
  /** Raw live objects read for the plan (memory only: Secret values are real here). */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly outputs: OutputValues;
  readonly trust: TrustMaterial;
  readonly istioctl?: Istioctl;
  readonly diagnostics: readonly Diagnostic[];
}

export async function makePlan(inputs: Inputs, opts: { mode: PlanMode; istioctl?: string; env: NodeJS.ProcessEnv; ports: Ports }): Promise<PlanContext> {
  const { desired, prior, clients, topology } = inputs;
  const now = opts.ports.now();
  if (opts.mode !== 'apply') {
    // Destroy and drift need no rendering: the state says what meshctl made.
    const live = await observe(clients, wantedOf(new Map(), [], prior), opts.mode === 'destroy' ? istiodLeftoverLists(losesMesh(prior, null)) : []);
    const plan = planMesh({ mode: opts.mode, desired, observed: { objects: masked(live.objects) }, prior, source: topology.source, createdAt: now.toISOString(), meshctlVersion });
    return { plan, live: live.objects, outputs: new Map(), trust: { data: new Map(), diagnostics: [] }, diagnostics: [] };
  }
  const istioctl = await opts.ports.istioctl({ binary: opts.istioctl, env: opts.env, wantVersion: topology.istio.version });
  const trust = await opts.ports.trust.read(topology, now, { state: inputs.trustInputs.state, env: inputs.trustInputs.env, connect: opts.ports.connect });
  if (hasErrors(trust.diagnostics)) throw new DiagnosticsError(trust.diagnostics);
  const serverOf = (c: string) => clients.get(c)!.server;
  const render = (iop: NonNullable<Unit['istioOperator']>) => istioctl.render(iop);
  // Pass 1: what objects exist at all (values may still be unknown), to know what to list.
  const first = await resolveAll(desired.units, { outputs: withTrust(new Map(), trust), render, serverOf, refsOnly: true });
  const live = await observe(clients, wantedOf(first, desired.units, prior), istiodLeftoverLists(losesMesh(prior, new Set(desired.units.map((u) => u.id)))));
  // Pass 2: with every output the clusters already show (e.g. the gateway address).
  const outputs = withTrust(outputsFromLive(desired, live.objects), trust);
  const liveData = liveCacertsData(topology, live.objects);
  const liveCacerts = [
    ...checkLiveTrust({ material: trust.data, live: liveData }),
    // A root meshctl cannot find is never replaced by a new one unless --new-root says so.
    ...checkRootKept({
      pendingRoot: trust.pendingRoot === true,
      location: trust.location,
      live: liveData,
      recorded: recordedCacertsRoots(Object.values(prior?.objects ?? {})),
      newRoot: inputs.trustInputs.newRoot,
    }),
  ];
  if (hasErrors(liveCacerts)) throw new DiagnosticsError(liveCacerts);
  const resolved = await resolveAll(desired.units, { outputs, render, serverOf });
  const forPlan: Desired = { ...desired, units: desired.units.map((u) => ({ ...u, objects: (resolved.get(u.id) ?? []).map(maskSecretData) })) };
  const plan = planMesh({ mode: 'apply', desired: forPlan, observed: { objects: masked(live.objects) }, prior, source: topology.source, createdAt: now.toISOString(), meshctlVersion });
  return { plan, live: live.objects, outputs, trust, istioctl, diagnostics: [...trust.diagnostics, ...liveCacerts] };
}

/** Each cluster's cacerts Secret data as listed: a root of trust is never replaced silently. */
function liveCacertsData(topology: Topology, live: ReadonlyMap<string, KubeObject>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const c of topology.clusters) {
    const secret = live.get(objectAddress(c.name, { apiVersion: 'v1', kind: 'Secret', ...CACERTS_SECRET })) as { data?: Record<string, string> } | undefined;
    if (secret?.data) out.set(c.name, secret.data);
  }
  return out;
}

export function withTrust(outputs: OutputValues, trust: TrustMaterial): OutputValues {
  for (const [cluster, data] of trust.data) {
    const id = `${cluster}/cacerts`;
    outputs.set(id, { ...outputs.get(id), cacerts: data });
  }
  return outputs;
}

async function resolveAll(units: readonly Unit[], ctx: Parameters<typeof resolveUnit>[1]): Promise<Map<string, KubeObject[]>> {
  const entries = await Promise.all(units.map(async (u) => [u.id, await resolveUnit(u, ctx)] as const));
  return new Map(entries);
}

function masked(objects: ReadonlyMap<string, KubeObject>): Map<string, KubeObject> {
  return new Map([...objects].map(([a, o]) => [a, maskSecretData(o)]));
}
