// cacerts material for plan and apply. Plan only reads what exists (it never creates keys,
// and shows missing material as "known after apply"); apply creates what is missing
// (generated mode) through ensureTrust.
//
// Where generated material lives: the trust directory, or — when the state is kept in
// Kubernetes and mesh.yaml names no directory of its own — a Secret beside the state (same
// context and namespace), filled from ./trust while it is empty. src/trust never reaches a
// cluster: the Secret store is handed the state backend's NamespacedApi, built here.
import * as path from 'node:path';
import { DEFAULT_TRUST_DIRECTORY } from '../config/normalize.js';
import type { StateSettings, Topology } from '../config/topology.js';
import type { Diagnostic } from '../diagnostics.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { ConnectOptions } from '../kube/connect.js';
import { NamespacedApi, type ApiObject } from '../state/kube-api.js';
import { stateObjectName } from '../state/kubernetes.js';
import { cacertsData } from '../trust/cacerts.js';
import { DirectoryTrustStore } from '../trust/directory-store.js';
import { ensureTrust, readTrust as readTrustFiles } from '../trust/ensure.js';
import type { ClusterCaMaterial } from '../trust/material.js';
import type { CaProfile } from '../trust/profile.js';
import { SecretTrustStore, type SecretObject, type SecretsApi } from '../trust/secret-store.js';
import type { TrustLocation, TrustStore } from '../trust/trust-store.js';

export interface TrustMaterial {
  /** base64 Secret data per cluster, for clusters whose material exists. */
  readonly data: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly diagnostics: readonly Diagnostic[];
  /** Generated trust found no root: apply would create one. */
  readonly pendingRoot?: boolean;
  /** Where generated trust looked for the material. */
  readonly location?: TrustLocation;
}

/** What reaching a Kubernetes state's namespace takes (the same context as the state backend). */
export interface TrustContext {
  /** The state's settings as the run uses them (--kubeconfig applied). */
  readonly state: StateSettings;
  readonly env: NodeJS.ProcessEnv;
  readonly connect: (opts: ConnectOptions) => ClusterClient;
}

export interface MakeOptions {
  /** false: the plan found a root, so apply must not create one. */
  readonly mayCreateRoot?: boolean;
  /** Tests shrink keys; ISTIO_CA_PROFILE otherwise. */
  readonly profile?: CaProfile;
}

function asData(material: ReadonlyMap<string, ClusterCaMaterial>): Map<string, Record<string, string>> {
  return new Map([...material].map(([c, m]) => [c, cacertsData(m)]));
}

const clustersOf = (t: Topology) => t.clusters.map((c) => c.name);

export async function readTrust(t: Topology, now: Date, ctx?: TrustContext): Promise<TrustMaterial> {
  const stores = openStores(t, ctx);
  try {
    const r = await readTrustFiles({ settings: t.trust, clusters: clustersOf(t), now, ...stores.options });
    return { data: asData(r.material), diagnostics: r.diagnostics, pendingRoot: r.pending.root, ...located(stores) };
  } finally {
    stores.close();
  }
}

export async function makeTrust(t: Topology, now: Date, ctx?: TrustContext & MakeOptions): Promise<TrustMaterial> {
  const stores = openStores(t, ctx);
  try {
    const r = await ensureTrust({
      settings: t.trust,
      clusters: clustersOf(t),
      now,
      ...stores.options,
      ...(ctx?.mayCreateRoot === undefined ? {} : { mayCreateRoot: ctx.mayCreateRoot }),
      ...(ctx?.profile ? { profile: ctx.profile } : {}),
    });
    return { data: asData(r.material), diagnostics: r.diagnostics, ...located(stores) };
  } finally {
    stores.close();
  }
}

interface Stores {
  readonly options: { store?: TrustStore; seed?: TrustStore };
  close(): void;
}

const located = (s: Stores) => (s.options.store ? { location: s.options.store.location } : {});

/** The Secret beside a Kubernetes state: meshctl-state-<mesh> → meshctl-trust-<mesh>. */
export function trustSecretName(meshID: string): string {
  return stateObjectName(meshID).replace(/^meshctl-state-/, 'meshctl-trust-');
}

/** The state backend's Secret calls, as the trust Secret store takes them. */
export function secretsOf(api: NamespacedApi): SecretsApi {
  type Obj = ApiObject & SecretObject;
  return {
    describe: api.describe,
    namespace: api.namespace,
    get: (name) => api.get<Obj>('secrets', name),
    create: (obj) => api.create<Obj>('secrets', obj as Obj),
    replace: (obj) => api.replace<Obj>('secrets', obj as Obj),
  };
}

/** Generated trust's store: the Secret with a Kubernetes state and no directory of its own, else the directory. */
function openStores(t: Topology, ctx: TrustContext | undefined): Stores {
  if (t.trust.mode !== 'generated') return { options: {}, close: () => undefined };
  const directory = new DirectoryTrustStore(t.trust.directory);
  const state = ctx?.state;
  // mesh.yaml's trust.generated.directory, when it names another directory, keeps the material there.
  if (!ctx || state?.backend !== 'kubernetes' || t.trust.directory !== path.resolve(path.dirname(t.source.file), DEFAULT_TRUST_DIRECTORY)) {
    return { options: { store: directory }, close: () => undefined };
  }
  const client = ctx.connect({ cluster: 'trust store', context: state.context, ...(state.kubeconfig ? { kubeconfig: state.kubeconfig } : {}), env: ctx.env });
  const api = new NamespacedApi({ describe: client.describe, call: (method, p, opts) => client.call(method, p, opts) }, state.namespace);
  const store = new SecretTrustStore({
    secrets: secretsOf(api),
    name: trustSecretName(t.meshID),
    meshID: t.meshID,
    directory: t.trust.directory,
  });
  return { options: { store, seed: directory }, close: () => client.close() };
}
