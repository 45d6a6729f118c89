// Gathering everything a plan needs (the impure half of `plan`): mesh.yaml, the state file,
// one client per cluster, rendered manifests, live objects, known outputs, trust material.
// The planner itself stays a pure function of what this returns.
import * as path from 'node:path';
import { loadTopology } from '../config/load.js';
import type { StateSettings, Topology } from '../config/topology.js';
import { DiagnosticsError, error, fail, hasErrors, type Diagnostic } from '../diagnostics.js';
import { buildDesired } from '../model/build.js';
import type { Desired, Unit } from '../model/desired.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { objectAddress, type KubeObject } from '../kube/object.js';
import { maskSecretData } from '../kube/sensitive.js';
import { observe, type Selection, type Wanted } from '../observe/observe.js';
import { istiodLeftoverLists, wantedOf } from '../observe/wanted.js';
import { istiodSelector } from '../planner/notices.js';
import { losesMesh } from '../planner/istiod-leftovers.js';
import type { Istioctl, IstioctlChoice } from '../render/istioctl.js';
import { outputsFromLive, type OutputValues } from '../render/outputs.js';
import { resolveUnit } from '../render/resolve.js';
import { planMesh } from '../planner/plan-mesh.js';
import { upgradeRules } from '../model/upgrade-rules.js';
import type { Plan, PlanMode } from '../planner/plan.js';
import type { StateBackend } from '../state/backend.js';
import { sameClusterUnderTwoNames } from '../state/rename-cluster.js';
import type { ClusterConnection, MeshState } from '../state/state.js';
import { CACERTS_SECRET } from '../trust/material.js';
import { checkLiveTrust } from '../trust/live.js';
import { checkRootKept, recordedCacertsRoots } from '../trust/root-guard.js';
import { meshctlVersion } from '../version.js';
import type { TrustMaterial } from './trust-material.js';
import type { CliIO } from './io.js';
import type { InputOptions } from './options.js';
import type { Ports } from './ports.js';
import { trackClients } from './stats.js';
import { untrustedInput } from '../kube/untrusted.js';

export interface Inputs extends Config {
  /** The state as read (after the lock, for commands that write). */
  readonly prior: MeshState | null;
  /**
   * Clusters the state still holds units or objects of that mesh.yaml no longer names, with the
   * client made from the connection the state recorded, or why there is none.
   */
  readonly departed: ReadonlyMap<string, ClusterClient | { readonly error: string }>;
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
  /** --forget-unreachable. */
  readonly forgetUnreachable: boolean;
  /** A client for a cluster mesh.yaml no longer names, from what the state recorded. */
  readonly reach: (cluster: string, connection: ClusterConnection) => ClusterClient;
}

/** mesh.yaml, model, state, clients. Fails (DiagnosticsError) on any error, changing nothing. */
export async function loadInputs(options: InputOptions, ctx: { io: CliIO; ports: Ports }): Promise<Inputs> {
  const config = loadConfig(options, ctx);
  try {
    return withPrior(config, await config.state.read());
  } catch (e) {
    closeConfig(config);
    throw e;
  }
}

/** The config with the state read: clients for the clusters the state knows and mesh.yaml does not. */
export function withPrior(config: Config, prior: MeshState | null): Inputs {
  const departed = new Map<string, ClusterClient | { error: string }>();
  for (const cluster of departedClusters(config.topology, prior)) {
    const connection = prior?.clusters?.[cluster];
    if (!connection) {
      departed.set(cluster, { error: 'the state does not record its kubeconfig context (the state was last written before meshctl recorded each cluster it applied to)' });
      continue;
    }
    try {
      departed.set(cluster, config.reach(cluster, connection));
    } catch (e) {
      departed.set(cluster, { error: e instanceof DiagnosticsError ? e.diagnostics.map((d) => d.detail).join(' ') : (e as Error).message });
    }
  }
  return { ...config, prior, departed };
}

/** Clusters with units or objects in the state that mesh.yaml no longer names, sorted. */
export function departedClusters(topology: Topology, prior: MeshState | null): string[] {
  const named = new Set(topology.clusters.map((c) => c.name));
  const known = new Set([...(prior?.units ?? []).map((u) => u.cluster), ...Object.values(prior?.objects ?? {}).map((o) => o.cluster)]);
  return [...known].filter((c) => !named.has(c)).sort();
}

/**
 * A cluster renamed in mesh.yaml without `meshctl state mv`: the state's records of the old
 * name reach the same context as the new name. Planned as a removal plus an addition, the
 * removal would delete, in that one cluster, what the addition makes; so the plan stops and
 * says how to go on. Destroy is not refused: it removes only what the state records.
 */
function refuseRenameWithoutMove(inputs: Inputs): void {
  const renamed = sameClusterUnderTwoNames(departedClusters(inputs.topology, inputs.prior), inputs.prior?.clusters, inputs.topology.clusters);
  if (renamed.length === 0) return;
  throw new DiagnosticsError(
    renamed.map((r) =>
      error(
        'Cluster renamed',
        `The state records cluster ${r.recorded}, and ${inputs.topology.source.file} names ${r.named} instead, with the same context (${r.context}): one cluster under two names. Planned as a removal of ${r.recorded} and an addition of ${r.named}, the removal would delete what the addition makes there. Nothing was changed.`,
        {
          hint: `To keep its objects: meshctl state mv ${r.recorded} ${r.named}, then plan (only what carries the cluster ID changes). To reinstall it under the new name: take the cluster out of mesh.yaml and apply, then add it as ${r.named} and apply.`,
        },
      ),
    ),
  );
}

/** Every cluster a plan reads or apply writes: mesh.yaml's and the departed ones it can reach. */
export function allClients(inputs: Inputs): Map<string, ClusterClient> {
  const out = new Map(inputs.clients);
  for (const [name, c] of inputs.departed) if (!('error' in c)) out.set(name, c);
  return out;
}

/** Ends the connections a Config (or the Inputs made from it) opened. */
export function closeConfig(config: Config | Inputs): void {
  config.state.close();
  for (const c of config.clients.values()) c.close();
  if ('departed' in config) for (const c of config.departed.values()) if (!('error' in c)) c.close();
}

/** mesh.yaml, model, the state backend (not read yet) and clients. */
export function loadConfig(options: InputOptions, ctx: { io: CliIO; ports: Ports }): Config {
  const { io, ports } = ctx;
  const loaded = loadTopology(options.file, { cwd: io.cwd, untrusted: untrustedInput(io.env) });
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
  const reach = (cluster: string, c: ClusterConnection) => {
    const client = ports.connect({ cluster, context: c.context, kubeconfig: c.kubeconfig ?? options.kubeconfig, env: io.env, cache });
    trackClients([client], io.env);
    return client;
  };
  return {
    topology,
    desired: built.desired,
    state,
    clients,
    warnings: [...loaded.diagnostics, ...built.diagnostics, ...[...clients.values()].flatMap((c) => c.warnings)],
    sources: loaded.sources,
    trustInputs,
    forgetUnreachable: options.forgetUnreachable === true,
    reach,
  };
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

export async function makePlan(inputs: Inputs, opts: { mode: PlanMode; istioctl?: IstioctlChoice; env: NodeJS.ProcessEnv; cwd?: string; ports: Ports }): Promise<PlanContext> {
  const { desired, prior, topology } = inputs;
  const clients = allClients(inputs);
  const now = opts.ports.now();
  const base = { prior, source: topology.source, createdAt: now.toISOString(), meshctlVersion, forgetUnreachable: inputs.forgetUnreachable };
  const read = (wanted: readonly Wanted[], selections: readonly Selection[]) => observeReachable(inputs, clients, wanted, selections);
  const upgrade = opts.mode === 'apply' ? upgradeRules(prior?.istio?.version, topology.istio.version) : [];
  if (hasErrors(upgrade)) throw new DiagnosticsError(upgrade);
  if (opts.mode === 'apply') refuseRenameWithoutMove(inputs);
  if (opts.mode !== 'apply') {
    // Destroy and drift need no rendering: the state says what meshctl made.
    const live = await read(wantedOf(new Map(), [], prior), opts.mode === 'destroy' ? istiodLeftoverLists(losesMesh(prior, null)) : []);
    const plan = planMesh({ ...base, mode: opts.mode, desired, observed: { objects: masked(live.objects), unreachable: live.unreachable } });
    return { plan, live: live.objects, outputs: new Map(), trust: { data: new Map(), diagnostics: [] }, diagnostics: [] };
  }
  const istioctl = await opts.ports.istioctl({ ...opts.istioctl, env: opts.env, cwd: opts.cwd, wantVersion: topology.istio.version });
  const trust = await opts.ports.trust.read(topology, now, { state: inputs.trustInputs.state, env: inputs.trustInputs.env, connect: opts.ports.connect });
  if (hasErrors(trust.diagnostics)) throw new DiagnosticsError(trust.diagnostics);
  const serverOf = (c: string) => clients.get(c)!.server;
  const render = (iop: NonNullable<Unit['istioOperator']>) => istioctl.render(iop);
  // Pass 1: what objects exist at all (values may still be unknown), to know what to list.
  const first = await resolveAll(desired.units, { outputs: withTrust(new Map(), trust), render, serverOf, refsOnly: true });
  const live = await read(wantedOf(first, desired.units, prior), [...istiodLeftoverLists(losesMesh(prior, new Set(desired.units.map((u) => u.id)))), ...istiodOfNewClusters(inputs)]);
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
  const plan = planMesh({ ...base, mode: 'apply', desired: forPlan, observed: { objects: masked(live.objects), unreachable: live.unreachable } });
  return { plan, live: live.objects, outputs, trust, istioctl, diagnostics: [...upgrade, ...trust.diagnostics, ...liveCacerts] };
}

/**
 * The clusters' objects; a departed cluster that cannot be read (no recorded context, a stopped
 * API server, lost credentials) is reported unreachable instead of failing the plan: the plan
 * still removes what names it elsewhere. A cluster mesh.yaml names must be readable.
 */
async function observeReachable(inputs: Inputs, clients: ReadonlyMap<string, ClusterClient>, wanted: readonly Wanted[], selections: readonly Selection[]) {
  const unreachable = new Map<string, string>();
  for (const [name, c] of inputs.departed) if ('error' in c) unreachable.set(name, c.error);
  const live = await observe(
    clients,
    wanted.filter((w) => !unreachable.has(w.cluster)),
    selections.filter((s) => !unreachable.has(s.cluster)),
    { tolerate: new Set([...inputs.departed.keys()].filter((c) => !unreachable.has(c))) },
  );
  for (const [name, why] of live.unreachable) unreachable.set(name, why);
  // What a cluster answered before it failed is not a picture of it: none of it is used.
  for (const address of [...live.objects.keys()]) if (unreachable.has(address.slice(0, address.indexOf('/')))) live.objects.delete(address);
  return { objects: live.objects, unreachable };
}

/** istiod Deployments in the clusters the state knows nothing of: the plan reports them. */
function istiodOfNewClusters(inputs: Inputs): Selection[] {
  const known = new Set([...(inputs.prior?.units ?? []).map((u) => u.cluster), ...Object.values(inputs.prior?.objects ?? {}).map((o) => o.cluster)]);
  return inputs.topology.clusters.filter((c) => !known.has(c.name)).map((c) => ({ cluster: c.name, apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: istiodSelector }));
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
