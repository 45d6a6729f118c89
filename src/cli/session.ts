// Gathering everything a plan needs (the impure half of `plan`): mesh.yaml, the state file,
// one client per cluster, rendered manifests, live objects, known outputs, trust material.
// The planner itself stays a pure function of what this returns.
import * as path from 'node:path';
import { loadTopology } from '../config/load.js';
import type { Topology } from '../config/topology.js';
import { DiagnosticsError, hasErrors, type Diagnostic } from '../diagnostics.js';
import { buildDesired } from '../model/build.js';
import type { Desired, Unit } from '../model/desired.js';
import { connect } from '../kube/connect.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { objectAddress, refOf, type KubeObject } from '../kube/object.js';
import { maskSecretData } from '../kube/sensitive.js';
import { observe, type Wanted } from '../observe/observe.js';
import { openIstioctl, type Istioctl } from '../render/istioctl.js';
import { outputsFromLive, type OutputValues } from '../render/outputs.js';
import { resolveUnit } from '../render/resolve.js';
import { planMesh } from '../planner/plan-mesh.js';
import type { Plan, PlanMode } from '../planner/plan.js';
import { readStateFile } from '../state/local-file.js';
import type { MeshState } from '../state/state.js';
import { meshctlVersion } from '../version.js';
import { readTrust, type TrustMaterial } from './trust-material.js';
import { checkLiveCacerts } from '../trust/live.js';
import type { CliIO } from './io.js';
import { trackClients } from './stats.js';

export interface CommonArgs {
  readonly file: string;
  readonly state?: string;
  readonly kubeconfig?: string;
  readonly istioctl?: string;
}

export interface Inputs {
  readonly topology: Topology;
  readonly desired: Desired;
  readonly stateFile: string;
  readonly prior: MeshState | null;
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly warnings: readonly Diagnostic[];
  /** file → text, for diagnostics' source excerpts. */
  readonly sources: ReadonlyMap<string, string>;
}

/** mesh.yaml, model, state, clients. Fails (DiagnosticsError) on any error, changing nothing. */
export async function loadInputs(args: CommonArgs, io: CliIO): Promise<Inputs> {
  const loaded = loadTopology(args.file, { cwd: io.cwd });
  if (!loaded.topology) throw new DiagnosticsErrorWithSources(loaded.diagnostics, loaded.sources);
  const topology = loaded.topology;
  const built = buildDesired(topology);
  if (hasErrors(built.diagnostics)) throw new DiagnosticsErrorWithSources(built.diagnostics, loaded.sources);
  const stateFile = path.resolve(io.cwd, args.state ?? path.join(path.dirname(topology.source.file), 'meshctl.state.json'));
  const prior = await readStateFile(stateFile, topology.meshID);
  const cache = new Map();
  const clients = new Map(
    topology.clusters.map((c) => [c.name, connect({ cluster: c.name, context: c.context, kubeconfig: c.kubeconfig ?? args.kubeconfig, env: io.env, cache })]),
  );
  trackClients(clients.values(), io.env);
  return { topology, desired: built.desired, stateFile, prior, clients, warnings: [...loaded.diagnostics, ...built.diagnostics], sources: loaded.sources };
}

export class DiagnosticsErrorWithSources extends DiagnosticsError {
  readonly sources: ReadonlyMap<string, string>;
  constructor(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>) {
    super(diags);
    this.sources = sources;
  }
}

export interface Planned {
  readonly plan: Plan;
  /** Raw live objects read for the plan (memory only: Secret values are real here). */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly outputs: OutputValues;
  readonly trust: TrustMaterial;
  readonly istioctl?: Istioctl;
  readonly diagnostics: readonly Diagnostic[];
}

export function wantedOf(desiredObjects: ReadonlyMap<string, KubeObject[]>, units: readonly Unit[], prior: MeshState | null): Wanted[] {
  const out: Wanted[] = [];
  const desired = new Set<string>();
  for (const u of units) {
    for (const o of desiredObjects.get(u.id) ?? []) {
      const ref = refOf(o);
      const address = objectAddress(u.cluster, ref);
      desired.add(address);
      out.push({ cluster: u.cluster, ref, desired: o, ...(prior?.objects[address] ? { recorded: prior.objects[address] } : {}) });
    }
  }
  // What the state remembers but mesh.yaml no longer wants (to delete, or to tell as gone).
  for (const [address, r] of Object.entries(prior?.objects ?? {})) if (!desired.has(address)) out.push({ cluster: r.cluster, ref: r.ref, recorded: r });
  return out;
}

export async function makePlan(inputs: Inputs, opts: { mode: PlanMode; args: CommonArgs; io: CliIO; now: Date }): Promise<Planned> {
  const { desired, prior, clients, topology } = inputs;
  if (opts.mode !== 'apply') {
    // Destroy and drift need no rendering: the state says what meshctl made.
    const live = await observe(clients, wantedOf(new Map(), [], prior));
    const plan = planMesh({ mode: opts.mode, desired, observed: { objects: masked(live.objects) }, prior, source: topology.source, createdAt: opts.now.toISOString(), meshctlVersion });
    return { plan, live: live.objects, outputs: new Map(), trust: { data: new Map(), diagnostics: [] }, diagnostics: [] };
  }
  const istioctl = await openIstioctl({ binary: opts.args.istioctl, env: opts.io.env, wantVersion: topology.istio.version });
  const trust = await readTrust(topology, opts.now);
  if (hasErrors(trust.diagnostics)) throw new DiagnosticsError(trust.diagnostics);
  const serverOf = (c: string) => clients.get(c)!.server;
  const render = (iop: NonNullable<Unit['istioOperator']>) => istioctl.render(iop);
  // Pass 1: what objects exist at all (values may still be unknown), to know what to list.
  const first = await resolveAll(desired.units, { outputs: withTrust(new Map(), trust), render, serverOf, refsOnly: true });
  const live = await observe(clients, wantedOf(first, desired.units, prior));
  // Pass 2: with every output the clusters already show (e.g. the gateway address).
  const outputs = withTrust(outputsFromLive(desired, live.objects), trust);
  const liveCacerts = checkLiveTrust(topology, trust, live.objects);
  if (hasErrors(liveCacerts)) throw new DiagnosticsError(liveCacerts);
  const resolved = await resolveAll(desired.units, { outputs, render, serverOf });
  const forPlan: Desired = { ...desired, units: desired.units.map((u) => ({ ...u, objects: (resolved.get(u.id) ?? []).map(maskSecretData) })) };
  const plan = planMesh({ mode: 'apply', desired: forPlan, observed: { objects: masked(live.objects) }, prior, source: topology.source, createdAt: opts.now.toISOString(), meshctlVersion });
  return { plan, live: live.objects, outputs, trust, istioctl, diagnostics: trust.diagnostics };
}

/**
 * A cluster whose live cacerts chain to another root is reported and the plan refused:
 * replacing a root of trust under running workloads is never done silently.
 */
function checkLiveTrust(topology: Topology, trust: TrustMaterial, live: ReadonlyMap<string, KubeObject>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of topology.clusters) {
    const data = trust.data.get(c.name);
    const secret = live.get(objectAddress(c.name, { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' })) as { data?: Record<string, string> } | undefined;
    if (!data || !secret?.data) continue;
    const pem = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
    const decoded = Object.fromEntries(Object.entries(secret.data).filter(([k]) => !k.includes('key')).map(([k, v]) => [k, pem(v)]));
    out.push(...checkLiveCacerts({ cluster: c.name, live: decoded, desired: { rootCert: pem(data['root-cert.pem']), caCert: pem(data['ca-cert.pem']), certChain: pem(data['cert-chain.pem']) } }));
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

export function addressesOf(cluster: string, objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((o) => [objectAddress(cluster, refOf(o)), o]));
}
