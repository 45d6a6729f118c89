// Generated mode: the trust directory as the source of the mesh's CA material. One inspection
// (read only) finds what exists, what is missing and whether the root can be used; ensure acts
// on it by issuing only the missing pieces, read reports them as pending for a plan. The root
// is created only when the directory has none and no cluster material exists yet: a fresh
// root beside intermediates from an old one would split the mesh in two.
import { join } from 'node:path';
import { DiagnosticsError, error, warning, type Diagnostic } from '../diagnostics.js';
import type { IssuedCa } from './issue.js';
import type { ClusterCaMaterial } from './material.js';
import { ISTIO_CA_PROFILE, type CaProfile } from './profile.js';
import { looseModeWarnings, prepareDirectory, readClusterDir, readRootFiles, readRootKey, trustLayout, writeClusterDir, writeRoot, type TrustLayout } from './store.js';

export const ROOT_GENERATED_SUMMARY = 'Root CA key generated';
const SETTINGS_PATH = 'trust.generated.directory';

export interface GeneratedOptions {
  readonly directory: string;
  readonly clusters: readonly string[];
  readonly now: Date;
  readonly profile?: CaProfile;
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
  return translateFsErrors(options.directory, async () => {
    const found = await inspect(trustLayout(options.directory), options.clusters);
    const blocked = found.root.kind === 'blocked';
    return {
      material: found.material,
      diagnostics: [...(await looseModeWarnings(options.directory, 'trust directory')), ...found.diagnostics],
      root: found.root.kind === 'generate',
      clusters: blocked ? [] : found.missing,
    };
  });
}

/** Creates the root (first run only) and the intermediates of clusters that have none. */
export async function ensureGenerated(options: GeneratedOptions): Promise<GeneratedResult> {
  const layout = trustLayout(options.directory);
  const profile = options.profile ?? ISTIO_CA_PROFILE;
  return translateFsErrors(options.directory, async () => {
    const prepared = await prepareDirectory(options.directory);
    const found = await inspect(layout, options.clusters);
    const diagnostics = [...prepared, ...found.diagnostics];
    const material = new Map(found.material);
    let signer: IssuedCa;
    switch (found.root.kind) {
      case 'blocked':
      case 'not-needed':
        return { material, diagnostics, root: false, clusters: [] };
      case 'generate':
        signer = await (await issuer()).issueRootCa({ now: options.now, profile });
        await writeRoot(layout, signer);
        diagnostics.push(rootGeneratedWarning(layout));
        break;
      case 'use': {
        const key = await readRootKey(layout);
        if (!key) return { material, diagnostics: [...diagnostics, keyNotAvailable(layout)], root: false, clusters: [] };
        signer = { certPem: found.root.certPem, key };
        break;
      }
    }
    for (const cluster of found.missing) {
      material.set(cluster, await issueCluster({ layout, cluster, signer, now: options.now, profile }));
    }
    return { material, diagnostics, root: found.root.kind === 'generate', clusters: found.missing };
  });
}

/**
 * issue.ts encodes certificates with @peculiar/x509, which is slow to import (docs/benchmarks.md).
 * Plans and applies that find the material in place never issue, so they never load it.
 */
const issuer = () => import('./issue.js');

type RootAction = { readonly kind: 'not-needed' } | { readonly kind: 'generate' } | { readonly kind: 'use'; readonly certPem: string } | { readonly kind: 'blocked' };

interface Inspection {
  readonly material: Map<string, ClusterCaMaterial>;
  readonly diagnostics: Diagnostic[];
  /** Clusters with no files at all: the ones to issue. */
  readonly missing: string[];
  readonly root: RootAction;
}

async function inspect(layout: TrustLayout, clusters: readonly string[]): Promise<Inspection> {
  const diagnostics: Diagnostic[] = [];
  const names = clusters.filter((c) => {
    const problem = unsafeName(c);
    if (problem) diagnostics.push(problem);
    return !problem;
  });
  const material = new Map<string, ClusterCaMaterial>();
  const missing: string[] = [];
  for (const cluster of names) {
    const stored = await readClusterDir(layout, cluster);
    if (stored.state === 'complete') material.set(cluster, stored.material);
    if (stored.state === 'absent') missing.push(cluster);
    if (stored.state === 'partial') diagnostics.push(partialCluster(layout, cluster, stored.missing));
  }
  const files = await readRootFiles(layout);
  const anyExisting = names.length > missing.length;
  let root: RootAction;
  if (files.cert === undefined && files.keyExists) {
    diagnostics.push(
      refusal(
        'Root CA certificate missing',
        `${layout.rootKey} exists but ${layout.rootCert} does not. meshctl will not guess which root the key belongs to; ` + 'restore root-cert.pem, or delete root-key.pem if no cluster uses it.',
      ),
    );
    root = { kind: 'blocked' };
  } else if (missing.length === 0) {
    root = { kind: 'not-needed' };
  } else if (files.cert === undefined && anyExisting) {
    diagnostics.push(
      refusal(
        'Root CA missing',
        `${layout.directory} holds cluster CA files but no root-cert.pem/root-key.pem. Generating a new root would split ` +
          "the mesh's trust; restore the root files to issue intermediates for new clusters.",
      ),
    );
    root = { kind: 'blocked' };
  } else if (files.cert === undefined) {
    root = { kind: 'generate' };
  } else if (!files.keyExists) {
    diagnostics.push(keyNotAvailable(layout));
    root = { kind: 'blocked' };
  } else {
    root = { kind: 'use', certPem: files.cert };
  }
  return { material, diagnostics, missing, root };
}

async function issueCluster(options: { layout: TrustLayout; cluster: string; signer: IssuedCa; now: Date; profile: CaProfile }): Promise<ClusterCaMaterial> {
  const { layout, cluster, signer } = options;
  const ca = await (await issuer()).issueIntermediateCa({ cluster, root: signer, now: options.now, profile: options.profile });
  await writeClusterDir(layout, cluster, {
    'ca-cert.pem': ca.certPem,
    'ca-key.pem': ca.key.reveal(),
    'root-cert.pem': signer.certPem,
    // As the Makefile's `cat ca-cert.pem root-cert.pem > cert-chain.pem`.
    'cert-chain.pem': ca.certPem + signer.certPem,
  });
  // Read back, so the material returned is exactly what later runs will read.
  const stored = await readClusterDir(layout, cluster);
  if (stored.state !== 'complete') throw new Error(`meshctl bug: ${cluster}'s CA files vanished right after writing`);
  return stored.material;
}

/** File-system failures (permissions, a file where a directory should be) become one diagnostic. */
async function translateFsErrors<T>(directory: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DiagnosticsError || !(e as NodeJS.ErrnoException).code) throw e;
    throw new DiagnosticsError([error('Cannot use trust directory', `meshctl could not read or write ${directory}: ${(e as Error).message}.`, { path: SETTINGS_PATH })]);
  }
}

function refusal(summary: string, detail: string): Diagnostic {
  return error(summary, detail, { path: SETTINGS_PATH });
}

function keyNotAvailable(layout: TrustLayout): Diagnostic {
  return refusal(
    'Root CA key not available',
    `A new cluster needs an intermediate CA, which only the root key can issue, but ${layout.rootKey} is absent ` + '(moved offline?). Put it back for this run, then move it away again.',
  );
}

function rootGeneratedWarning(layout: TrustLayout): Diagnostic {
  return warning(
    ROOT_GENERATED_SUMMARY,
    `meshctl created the mesh's root CA. Its private key is ${layout.rootKey} (mode 0600). Anyone holding it can issue ` +
      'certificates every cluster trusts: back it up somewhere safe and offline, never commit it, and consider removing it ' +
      'from this machine; meshctl needs it again only to add a cluster.',
    { path: SETTINGS_PATH },
  );
}

function partialCluster(layout: TrustLayout, cluster: string, missing: readonly string[]): Diagnostic {
  return refusal(
    'Incomplete cluster CA files',
    `${join(layout.directory, cluster)} lacks ${missing.join(', ')}. meshctl never overwrites CA files; restore them, ` + `or remove the directory to issue a new intermediate for ${cluster}.`,
  );
}

/** Cluster names become directory names: nothing that could escape or hide in the directory. */
function unsafeName(cluster: string): Diagnostic | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(cluster)) return undefined;
  return error(
    'Cluster name unusable as a directory',
    `Generated trust keeps ${JSON.stringify(cluster)}'s CA files in a directory of that name, so it must start with a ` + 'letter or digit and contain only letters, digits, ".", "_" and "-".',
    { path: 'clusters' },
  );
}
