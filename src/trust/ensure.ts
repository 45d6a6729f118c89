// ensureTrust: the one call the plan/apply wiring makes. It returns every cluster's cacerts
// material, creating in generated mode only what is missing (the root on first use, then one
// intermediate per new cluster) and loading the user's files in provided mode; then it runs
// the checks over the result. Existing files are never rewritten, so a second run with the
// same clusters reads the same bytes and the plan shows no change.
import { join } from 'node:path';
import { DiagnosticsError, error, warning, type Diagnostic } from '../diagnostics.js';
import type { TrustSettings } from '../config/topology.js';
import { checkTrust } from './check.js';
import { issueIntermediateCa, issueRootCa, type IssuedCa } from './issue.js';
import type { ClusterCaMaterial } from './material.js';
import { ISTIO_CA_PROFILE, type CaProfile } from './profile.js';
import {
  prepareDirectory,
  readClusterDir,
  readProvided,
  readRootFiles,
  readRootKey,
  trustLayout,
  writeClusterDir,
  writeRoot,
  type TrustLayout,
} from './store.js';

export interface EnsureTrustOptions {
  readonly settings: TrustSettings;
  /** Cluster names (Istio cluster IDs) that need cacerts. */
  readonly clusters: readonly string[];
  /** Start of validity for anything issued, and the reference time for expiry checks. */
  readonly now: Date;
  /** Certificate properties; ISTIO_CA_PROFILE in production (tests shrink keyBits only). */
  readonly profile?: CaProfile;
}

export interface TrustResult {
  /** Usable material per cluster; clusters with errors are absent. Empty in mode "none". */
  readonly material: ReadonlyMap<string, ClusterCaMaterial>;
  readonly diagnostics: readonly Diagnostic[];
  /** What this call created in the trust directory (generated mode). */
  readonly issued: { readonly root: boolean; readonly clusters: readonly string[] };
}

export const ROOT_GENERATED_SUMMARY = 'Root CA key generated';

export async function ensureTrust(options: EnsureTrustOptions): Promise<TrustResult> {
  const { settings } = options;
  switch (settings.mode) {
    case 'none':
      return { material: new Map(), diagnostics: [], issued: { root: false, clusters: [] } };
    case 'provided':
      return withChecks(options, await loadProvided(settings, options.clusters));
    case 'generated':
      return withChecks(options, await ensureGenerated({ ...options, directory: settings.directory }));
    default:
      return assertNever(settings);
  }
}

function withChecks(options: EnsureTrustOptions, partial: TrustResult): TrustResult {
  const checks = checkTrust({ material: partial.material, now: options.now });
  return { ...partial, diagnostics: [...partial.diagnostics, ...checks] };
}

type ProvidedSettings = Extract<TrustSettings, { mode: 'provided' }>;

async function loadProvided(settings: ProvidedSettings, clusters: readonly string[]): Promise<TrustResult> {
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
  return { material, diagnostics, issued: { root: false, clusters: [] } };
}

interface GeneratedOptions extends EnsureTrustOptions {
  readonly directory: string;
}

async function ensureGenerated(options: GeneratedOptions): Promise<TrustResult> {
  const layout = trustLayout(options.directory);
  const profile = options.profile ?? ISTIO_CA_PROFILE;
  try {
    const diagnostics: Diagnostic[] = await prepareDirectory(options.directory);
    const names = options.clusters.filter((c) => {
      const problem = unsafeName(c);
      if (problem) diagnostics.push(problem);
      return !problem;
    });
    const stored = new Map(await Promise.all(names.map(async (c) => [c, await readClusterDir(layout, c)] as const)));
    const toIssue = names.filter((c) => stored.get(c)!.state === 'absent');
    const material = new Map<string, ClusterCaMaterial>();
    for (const [cluster, s] of stored) {
      if (s.state === 'complete') material.set(cluster, s.material);
      if (s.state === 'partial') diagnostics.push(partialCluster(layout, cluster, s.missing));
    }

    const root = await rootFor({
      layout,
      profile,
      now: options.now,
      needed: toIssue.length > 0,
      anyExisting: stored.size > toIssue.length,
    });
    diagnostics.push(...root.diagnostics);
    if (!root.signer) return { material, diagnostics, issued: { root: false, clusters: [] } };

    for (const cluster of toIssue) {
      const ca = await issueIntermediateCa({ cluster, root: root.signer, now: options.now, profile });
      await writeClusterDir(layout, cluster, {
        'ca-cert.pem': ca.certPem,
        'ca-key.pem': ca.key.reveal(),
        'root-cert.pem': root.signer.certPem,
        // As the Makefile's `cat ca-cert.pem root-cert.pem > cert-chain.pem`.
        'cert-chain.pem': ca.certPem + root.signer.certPem,
      });
      const read = await readClusterDir(layout, cluster);
      if (read.state !== 'complete') throw new Error(`meshctl bug: ${cluster}'s CA files vanished right after writing`);
      material.set(cluster, read.material);
    }
    return { material, diagnostics, issued: { root: root.generated, clusters: toIssue } };
  } catch (e) {
    if (e instanceof DiagnosticsError || !(e as NodeJS.ErrnoException).code) throw e;
    throw new DiagnosticsError([
      error('Cannot use trust directory', `meshctl could not read or write ${options.directory}: ${(e as Error).message}.`, {
        path: 'trust.generated.directory',
      }),
    ]);
  }
}

interface RootResult {
  /** The root to sign with; undefined when no intermediate is needed or one cannot be issued. */
  readonly signer?: IssuedCa;
  readonly generated: boolean;
  readonly diagnostics: Diagnostic[];
}

/**
 * The root is created only when the directory has none and no cluster material exists yet: a
 * fresh root beside intermediates from an old one would split the mesh in two.
 */
interface RootOptions {
  readonly layout: TrustLayout;
  readonly profile: CaProfile;
  readonly now: Date;
  /** Some cluster needs a new intermediate. */
  readonly needed: boolean;
  /** Some cluster already has files in the directory. */
  readonly anyExisting: boolean;
}

async function rootFor(options: RootOptions): Promise<RootResult> {
  const { layout } = options;
  const files = await readRootFiles(layout);
  if (files.cert === undefined && files.keyExists) {
    return refuse(
      'Root CA certificate missing',
      `${layout.rootKey} exists but ${layout.rootCert} does not. meshctl will not guess which root the key belongs to; ` +
        'restore root-cert.pem, or delete root-key.pem if no cluster uses it.',
    );
  }
  if (!options.needed) return { generated: false, diagnostics: [] };
  if (files.cert === undefined) {
    if (options.anyExisting) {
      return refuse(
        'Root CA missing',
        `${layout.directory} holds cluster CA files but no root-cert.pem/root-key.pem. Generating a new root would split ` +
          "the mesh's trust; restore the root files to issue intermediates for new clusters.",
      );
    }
    const root = await issueRootCa({ now: options.now, profile: options.profile });
    await writeRoot(layout, root);
    return { signer: root, generated: true, diagnostics: [rootGeneratedWarning(layout)] };
  }
  const key = await readRootKey(layout);
  if (!key) {
    return refuse(
      'Root CA key not available',
      `A new cluster needs an intermediate CA, which only the root key can issue, but ${layout.rootKey} is absent ` +
        '(moved offline?). Put it back for this run, then move it away again.',
    );
  }
  return { signer: { certPem: files.cert, key }, generated: false, diagnostics: [] };
}

function refuse(summary: string, detail: string): RootResult {
  return { generated: false, diagnostics: [error(summary, detail, { path: 'trust.generated.directory' })] };
}

function rootGeneratedWarning(layout: TrustLayout): Diagnostic {
  return warning(
    ROOT_GENERATED_SUMMARY,
    `meshctl created the mesh's root CA. Its private key is ${layout.rootKey} (mode 0600). Anyone holding it can issue certificates every cluster trusts: ` +
      'back it up somewhere safe and offline, never commit it, and consider removing it from this machine; meshctl needs it again only to add a cluster.',
    { path: 'trust.generated.directory' },
  );
}

function partialCluster(layout: TrustLayout, cluster: string, missing: readonly string[]): Diagnostic {
  const dir = join(layout.directory, cluster);
  return error(
    'Incomplete cluster CA files',
    `${dir} lacks ${missing.join(', ')}. meshctl never overwrites CA files; restore them, or remove the directory to issue a new intermediate for ${cluster}.`,
    { path: 'trust.generated.directory' },
  );
}

/** Cluster names become directory names: nothing that could escape or hide in the directory. */
function unsafeName(cluster: string): Diagnostic | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(cluster)) return undefined;
  return error(
    'Cluster name unusable as a directory',
    `Generated trust keeps ${JSON.stringify(cluster)}'s CA files in a directory of that name, so it must start with a ` +
      'letter or digit and contain only letters, digits, ".", "_" and "-".',
    { path: 'clusters' },
  );
}

function assertNever(x: never): never {
  throw new Error(`meshctl bug: unhandled trust mode ${JSON.stringify(x)}`);
}
