// Generated mode: a TrustStore (the trust directory, or the Secret beside a Kubernetes state)
// as the source of the mesh's CA material. One inspection (read only) finds what exists, what
// is missing and whether the root can be used; ensure acts on it by issuing only the missing
// pieces, read reports them as pending for a plan. The root is created only when the store has
// none and no cluster material exists yet: a fresh root beside intermediates from an old one
// would split the mesh in two. (Whether the clusters already run on a root the store lacks is
// the plan's question: root-guard.ts.)
//
// A store that another runner writes at the same time answers 'conflict'; ensure then inspects
// again and uses what the winner stored. A Secret store that is still empty is first filled
// from the trust directory when that holds material (`seed`), so a mesh applied with ./trust
// keeps its root when its state moves into Kubernetes; a Secret that holds material is never
// replaced by it.
import { DiagnosticsError, error, hasErrors, warning, type Diagnostic } from '../diagnostics.js';
import { fingerprint } from './fingerprint.js';
import type { IssuedCa } from './issue.js';
import { CACERTS_KEYS, type CacertsKey, type ClusterCaMaterial } from './material.js';
import { ISTIO_CA_PROFILE, type CaProfile } from './profile.js';
import { describeLocation, holdsMaterial, type StoredTrust, type TrustStore } from './trust-store.js';

export const ROOT_GENERATED_SUMMARY = 'Root CA key generated';
export const SEED_SUMMARIES = {
  pending: 'Trust directory to be copied into the Secret',
  copied: 'Trust directory copied into the Secret',
  ignored: 'Trust directory not used',
} as const;
export const ROOT_VANISHED_SUMMARY = 'Root CA gone since the plan';

/** Attempts when other runners keep winning the store's create-conflicts. */
const MAX_ATTEMPTS = 3;

export interface GeneratedOptions {
  readonly store: TrustStore;
  /** The trust directory an empty Secret store is filled from. */
  readonly seed?: TrustStore;
  readonly clusters: readonly string[];
  readonly now: Date;
  readonly profile?: CaProfile;
  /** false: the plan found a root, so ensure must not create one (default true). */
  readonly mayCreateRoot?: boolean;
}

export interface GeneratedResult {
  readonly material: ReadonlyMap<string, ClusterCaMaterial>;
  readonly diagnostics: readonly Diagnostic[];
  /** Created by this call (ensure) or still to be created (read). */
  readonly root: boolean;
  readonly clusters: readonly string[];
}

/** Reads what exists and reports what ensure would create; writes nothing, not even the directory. */
export async function readGenerated(options: GeneratedOptions): Promise<GeneratedResult> {
  let found = await inspect(options.store, options.clusters);
  const notes: Diagnostic[] = [];
  if (options.seed && !holdsMaterial(found.stored)) {
    const seeded = await inspect(options.seed, options.clusters);
    if (holdsMaterial(seeded.stored)) {
      found = seeded;
      if (!hasErrors(seeded.diagnostics)) notes.push(seedPending(options.seed, options.store));
    }
  } else if (options.seed) {
    notes.push(...(await seedIgnored(options.seed, found.stored, options.store)));
  }
  const blocked = found.root.kind === 'blocked';
  return { material: found.material, diagnostics: [...found.diagnostics, ...notes], root: found.root.kind === 'generate', clusters: blocked ? [] : found.missing };
}

/** Creates the root (first run only) and the intermediates of clusters that have none. */
export async function ensureGenerated(options: GeneratedOptions): Promise<GeneratedResult> {
  const { store } = options;
  const profile = options.profile ?? ISTIO_CA_PROFILE;
  const notes: Diagnostic[] = [];
  if (options.seed) {
    const copied = await copySeed(store, options.seed, options.clusters);
    if (copied.blocked) return { material: new Map(), diagnostics: copied.diagnostics, root: false, clusters: [] };
    notes.push(...copied.diagnostics);
  }
  for (let attempt = 1; ; attempt++) {
    const found = await inspect(store, options.clusters);
    const stop = (extra: Diagnostic[] = []): GeneratedResult => ({ material: found.material, diagnostics: [...found.diagnostics, ...notes, ...extra], root: false, clusters: [] });
    let signer: IssuedCa;
    switch (found.root.kind) {
      case 'blocked':
      case 'not-needed':
        return stop();
      case 'generate':
        if (options.mayCreateRoot === false) return stop([rootVanished(store)]);
        signer = await (await issuer()).issueRootCa({ now: options.now, profile });
        break;
      case 'use': {
        const key = await store.readRootKey();
        if (!key) return stop([keyNotAvailable(store)]);
        signer = { certPem: found.root.certPem, key };
        break;
      }
    }
    const generate = found.root.kind === 'generate';
    const issued = new Map<string, Record<CacertsKey, string>>();
    for (const cluster of found.missing) issued.set(cluster, await issueCluster({ cluster, signer, now: options.now, profile }));
    if ((await store.add({ ...(generate ? { root: signer } : {}), clusters: issued })) === 'conflict') {
      if (attempt < MAX_ATTEMPTS) continue;
      throw new DiagnosticsError([
        error(
          'Trust material changed while meshctl wrote it',
          `Other runs kept adding trust material to ${describeLocation(store.location)} while this one tried to (${attempt} attempts). Run apply again.`,
          {
            path: store.settingsPath,
          },
        ),
      ]);
    }
    // Read back, so the material returned is exactly what later runs will read.
    const after = await store.read(found.missing);
    const material = new Map(found.material);
    for (const cluster of found.missing) {
      const stored = after.clusters.get(cluster);
      if (stored?.state !== 'complete') throw new Error(`meshctl bug: ${cluster}'s CA files vanished right after writing`);
      material.set(cluster, stored.material);
    }
    return { material, diagnostics: [...found.diagnostics, ...notes, ...(generate ? [rootGeneratedWarning(store)] : [])], root: generate, clusters: found.missing };
  }
}

/**
 * issue.ts encodes certificates with @peculiar/x509, which is slow to import (docs/benchmarks.md).
 * Plans and applies that find the material in place never issue, so they never load it.
 */
const issuer = () => import('./issue.js');

type RootAction = { readonly kind: 'not-needed' } | { readonly kind: 'generate' } | { readonly kind: 'use'; readonly certPem: string } | { readonly kind: 'blocked' };

interface Inspection {
  readonly stored: StoredTrust;
  readonly material: Map<string, ClusterCaMaterial>;
  readonly diagnostics: Diagnostic[];
  /** Clusters with no files at all: the ones to issue. */
  readonly missing: string[];
  readonly root: RootAction;
}

async function inspect(store: TrustStore, clusters: readonly string[]): Promise<Inspection> {
  const unsafe: Diagnostic[] = [];
  const names = clusters.filter((c) => {
    const problem = unsafeName(c);
    if (problem) unsafe.push(problem);
    return !problem;
  });
  const stored = await store.read(names);
  const diagnostics = [...stored.diagnostics, ...unsafe];
  const material = new Map<string, ClusterCaMaterial>();
  const missing: string[] = [];
  for (const cluster of names) {
    const found = stored.clusters.get(cluster) ?? { state: 'absent' };
    if (found.state === 'complete') material.set(cluster, found.material);
    if (found.state === 'absent') missing.push(cluster);
    if (found.state === 'partial') diagnostics.push(partialCluster(store, cluster, found.missing));
  }
  const anyExisting = names.length > missing.length;
  let root: RootAction;
  if (stored.rootCert === undefined && stored.rootKeyExists) {
    diagnostics.push(
      refusal(
        store,
        'Root CA certificate missing',
        `${cap(store.locate('root-key.pem'))} exists but ${store.locate('root-cert.pem')} does not. meshctl will not guess which root the key belongs to; ` +
          'restore root-cert.pem, or delete root-key.pem if no cluster uses it.',
      ),
    );
    root = { kind: 'blocked' };
  } else if (missing.length === 0) {
    root = { kind: 'not-needed' };
  } else if (stored.rootCert === undefined && anyExisting) {
    diagnostics.push(
      refusal(
        store,
        'Root CA missing',
        `${cap(describeLocation(store.location))} holds cluster CA files but no root-cert.pem/root-key.pem. Generating a new root would split ` +
          "the mesh's trust; restore the root files to issue intermediates for new clusters.",
      ),
    );
    root = { kind: 'blocked' };
  } else if (stored.rootCert === undefined) {
    root = { kind: 'generate' };
  } else if (!stored.rootKeyExists) {
    diagnostics.push(keyNotAvailable(store));
    root = { kind: 'blocked' };
  } else {
    root = { kind: 'use', certPem: stored.rootCert };
  }
  return { stored, material, diagnostics, missing, root };
}

async function issueCluster(options: { cluster: string; signer: IssuedCa; now: Date; profile: CaProfile }): Promise<Record<CacertsKey, string>> {
  const { cluster, signer } = options;
  const ca = await (await issuer()).issueIntermediateCa({ cluster, root: signer, now: options.now, profile: options.profile });
  return {
    'ca-cert.pem': ca.certPem,
    'ca-key.pem': ca.key.reveal(),
    'root-cert.pem': signer.certPem,
    // As the Makefile's `cat ca-cert.pem root-cert.pem > cert-chain.pem`.
    'cert-chain.pem': ca.certPem + signer.certPem,
  };
}

/** Fills an empty store from the trust directory, once; never touches a store that holds material. */
async function copySeed(store: TrustStore, seed: TrustStore, clusters: readonly string[]): Promise<{ blocked: boolean; diagnostics: Diagnostic[] }> {
  const target = await store.read(clusters);
  if (holdsMaterial(target)) return { blocked: false, diagnostics: await seedIgnored(seed, target, store) };
  const seeded = await inspect(seed, clusters);
  if (!holdsMaterial(seeded.stored)) return { blocked: false, diagnostics: [] };
  // Copy only a directory meshctl would use as it is.
  if (hasErrors(seeded.diagnostics)) return { blocked: true, diagnostics: seeded.diagnostics };
  const key = seeded.stored.rootKeyExists ? await seed.readRootKey() : undefined;
  const files = new Map([...seeded.material].map(([c, m]) => [c, contentsOf(m)] as const));
  const rootCert = seeded.stored.rootCert;
  const outcome = await store.add({ ...(rootCert === undefined ? {} : { root: { certPem: rootCert, ...(key ? { key } : {}) } }), clusters: files });
  // 'conflict': another runner filled it first; what it stored is read next, as for any store.
  if (outcome === 'conflict') return { blocked: false, diagnostics: [] };
  return { blocked: false, diagnostics: [seedCopied({ seed, store, clusters: [...files.keys()], key: key !== undefined })] };
}

function contentsOf(m: ClusterCaMaterial): Record<CacertsKey, string> {
  const byKey: Record<CacertsKey, string> = { 'ca-cert.pem': m.caCert, 'ca-key.pem': m.caKey.reveal(), 'root-cert.pem': m.rootCert, 'cert-chain.pem': m.certChain };
  return Object.fromEntries(CACERTS_KEYS.map((k) => [k, byKey[k]])) as Record<CacertsKey, string>;
}

function seedPending(seed: TrustStore, store: TrustStore): Diagnostic {
  return warning(
    SEED_SUMMARIES.pending,
    `${cap(describeLocation(store.location))} does not exist or is empty; this plan uses the material in ${describeLocation(seed.location)}, ` +
      'and apply copies it into the Secret (create-only) so that every runner reads the same root from then on.',
    { path: store.settingsPath },
  );
}

function seedCopied(o: { seed: TrustStore; store: TrustStore; clusters: readonly string[]; key: boolean }): Diagnostic {
  const what = `the root certificate${o.key ? ' and its key' : ''}${o.clusters.length ? ` and the intermediates of ${o.clusters.join(', ')}` : ''}`;
  return warning(
    SEED_SUMMARIES.copied,
    `meshctl copied ${what} from ${describeLocation(o.seed.location)} into ${describeLocation(o.store.location)}. From now on every run reads them from the Secret and ` +
      'no longer reads the directory: keep an offline backup of root-key.pem, then remove the directory from this machine.',
    { path: o.store.settingsPath },
  );
}

/** The Secret holds material: a directory whose root differs is named, never used. */
async function seedIgnored(seed: TrustStore, target: StoredTrust, store: TrustStore): Promise<Diagnostic[]> {
  const local = await seed.read([]);
  if (local.rootCert === undefined || local.rootCert === target.rootCert) return [];
  const inSecret = target.rootCert === undefined ? 'no root certificate' : `root ${safeFingerprint(target.rootCert)}`;
  return [
    warning(
      SEED_SUMMARIES.ignored,
      `${cap(describeLocation(seed.location))} holds root ${safeFingerprint(local.rootCert)}, but the mesh's material is in ${describeLocation(store.location)} (${inSecret}), ` +
        'which is what meshctl uses; the directory is never copied over material already in the Secret. Remove the directory if it is stale.',
      { path: store.settingsPath },
    ),
  ];
}

function safeFingerprint(pem: string): string {
  try {
    return fingerprint(pem);
  } catch {
    return '(unreadable certificate)';
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function refusal(store: TrustStore, summary: string, detail: string): Diagnostic {
  return error(summary, detail, { path: store.settingsPath });
}

function keyNotAvailable(store: TrustStore): Diagnostic {
  return refusal(
    store,
    'Root CA key not available',
    `A new cluster needs an intermediate CA, which only the root key can issue, but ${store.locate('root-key.pem')} is absent ` +
      '(moved offline?). Put it back for this run, then move it away again.',
  );
}

function rootVanished(store: TrustStore): Diagnostic {
  return refusal(
    store,
    ROOT_VANISHED_SUMMARY,
    `The plan found the mesh's root CA in ${describeLocation(store.location)}, but it is not there any more. meshctl will not generate a new root in its place: ` +
      'that would replace the root every cluster trusts. Restore it and run apply again.',
  );
}

function rootGeneratedWarning(store: TrustStore): Diagnostic {
  const where =
    store.location.kind === 'directory'
      ? `Its private key is ${store.locate('root-key.pem')} (mode 0600). Anyone holding it can issue certificates every cluster trusts: back it up ` +
        'somewhere safe and offline, never commit it, and consider removing it from this machine; meshctl needs it again only to add a cluster.'
      : `Its private key is ${store.locate('root-key.pem')}. Anyone who can read Secrets in that namespace can issue certificates every cluster ` +
        'trusts: grant that access as you would grant the key, and keep an offline backup of it; meshctl needs it again only to add a cluster.';
  return warning(ROOT_GENERATED_SUMMARY, `meshctl created the mesh's root CA. ${where}`, { path: store.settingsPath });
}

function partialCluster(store: TrustStore, cluster: string, missing: readonly string[]): Diagnostic {
  return refusal(
    store,
    'Incomplete cluster CA files',
    `${cap(store.locate(cluster))} lacks ${missing.join(', ')}. meshctl never overwrites CA files; restore them, ` + `or remove the rest to issue a new intermediate for ${cluster}.`,
  );
}

/** Cluster names become directory names (and Secret keys): nothing that could escape or hide in the directory. */
function unsafeName(cluster: string): Diagnostic | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(cluster)) return undefined;
  return error(
    'Cluster name unusable as a directory',
    `Generated trust keeps ${JSON.stringify(cluster)}'s CA files in a directory of that name, so it must start with a ` + 'letter or digit and contain only letters, digits, ".", "_" and "-".',
    { path: 'clusters' },
  );
}
