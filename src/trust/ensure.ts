// The two calls the plan/apply wiring makes. ensureTrust (apply) returns every cluster's
// cacerts material, creating in generated mode only what is missing — the root on first use,
// then one intermediate per new cluster — and loading the user's files in provided mode.
// readTrust (plan) does the same reading but creates nothing and reports what ensureTrust
// would create. Both then run the checks over the material. Existing files are never
// rewritten, so repeated runs read the same bytes and the plan shows no change.
import type { TrustSettings } from '../config/topology.js';
import { error, type Diagnostic } from '../diagnostics.js';
import { checkTrust } from './check.js';
import { DirectoryTrustStore } from './directory-store.js';
import { ensureGenerated, readGenerated, type GeneratedResult } from './generated.js';
import type { ClusterCaMaterial } from './material.js';
import type { CaProfile } from './profile.js';
import { readProvided } from './store.js';
import type { TrustStore } from './trust-store.js';

export { ROOT_GENERATED_SUMMARY } from './generated.js';

export interface EnsureTrustOptions {
  readonly settings: TrustSettings;
  /** Cluster names (Istio cluster IDs) that need cacerts. */
  readonly clusters: readonly string[];
  /** Start of validity for anything issued, and the reference time for expiry checks. */
  readonly now: Date;
  /** Certificate properties; ISTIO_CA_PROFILE in production (tests shrink keyBits only). */
  readonly profile?: CaProfile;
  /** Generated mode: where the material lives; default the settings' directory. */
  readonly store?: TrustStore;
  /** Generated mode: a trust directory that fills `store` while it is empty (secret-store.ts). */
  readonly seed?: TrustStore;
  /** Generated mode, ensure: false when the plan found a root, so none may be created now. */
  readonly mayCreateRoot?: boolean;
}

export interface TrustResult {
  /** Usable material per cluster; clusters with errors are absent. Empty in mode "none". */
  readonly material: ReadonlyMap<string, ClusterCaMaterial>;
  readonly diagnostics: readonly Diagnostic[];
  /** What this call created in the trust store (generated mode). */
  readonly issued: { readonly root: boolean; readonly clusters: readonly string[] };
}

export interface TrustReading {
  /** Material that exists already; clusters with errors or still pending are absent. */
  readonly material: ReadonlyMap<string, ClusterCaMaterial>;
  readonly diagnostics: readonly Diagnostic[];
  /** What ensureTrust would create (generated mode): the plan's "known after apply". */
  readonly pending: { readonly root: boolean; readonly clusters: readonly string[] };
}

export async function ensureTrust(options: EnsureTrustOptions): Promise<TrustResult> {
  const found = await dispatch(options, ensureGenerated);
  return { material: found.material, diagnostics: withChecks(options, found), issued: { root: found.root, clusters: found.clusters } };
}

/** Plan-time: reads only. Never creates the directory, the Secret, a key or a certificate. */
export async function readTrust(options: Omit<EnsureTrustOptions, 'profile' | 'mayCreateRoot'>): Promise<TrustReading> {
  const found = await dispatch(options, readGenerated);
  return { material: found.material, diagnostics: withChecks(options, found), pending: { root: found.root, clusters: found.clusters } };
}

type Generated = typeof ensureGenerated;

async function dispatch(options: EnsureTrustOptions, generated: Generated): Promise<GeneratedResult> {
  const { settings } = options;
  switch (settings.mode) {
    case 'none':
      return { material: new Map(), diagnostics: [], root: false, clusters: [] };
    case 'provided':
      return loadProvided(settings, options.clusters);
    case 'generated':
      return generated({
        store: options.store ?? new DirectoryTrustStore(settings.directory),
        ...(options.seed ? { seed: options.seed } : {}),
        clusters: options.clusters,
        now: options.now,
        ...(options.profile ? { profile: options.profile } : {}),
        ...(options.mayCreateRoot === undefined ? {} : { mayCreateRoot: options.mayCreateRoot }),
      });
    default:
      return assertNever(settings);
  }
}

function withChecks(options: { now: Date }, found: GeneratedResult): Diagnostic[] {
  return [...found.diagnostics, ...checkTrust({ material: found.material, now: options.now })];
}

type ProvidedSettings = Extract<TrustSettings, { mode: 'provided' }>;

async function loadProvided(settings: ProvidedSettings, clusters: readonly string[]): Promise<GeneratedResult> {
  const material = new Map<string, ClusterCaMaterial>();
  const diagnostics: Diagnostic[] = [];
  for (const cluster of clusters) {
    const entry = settings.clusters[cluster];
    if (!entry) {
      const detail = `trust is "provided" but trust.provided.clusters has no entry for ${cluster}; give its cert, key and chain files.`;
      diagnostics.push(error('No CA files for cluster', detail, { path: 'trust.provided.clusters' }));
      continue;
    }
    const files = { rootCert: settings.rootCert, ...entry };
    const read = await readProvided({ cluster, files, settingsPath: `trust.provided.clusters.${cluster}` });
    diagnostics.push(...read.diagnostics);
    if (read.material) material.set(cluster, read.material);
  }
  return { material, diagnostics, root: false, clusters: [] };
}

function assertNever(x: never): never {
  throw new Error(`meshctl bug: unhandled trust mode ${JSON.stringify(x)}`);
}
