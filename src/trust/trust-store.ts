// Where generated trust material lives, as the one interface generated.ts reads and writes it
// through: the trust directory (directory-store.ts, Istio's tools/certs layout) or a Secret
// beside a Kubernetes state (secret-store.ts, one key per file of that layout). Both are
// create-only: add() never replaces an entry, and answers 'conflict' when another writer
// stored one of them first, so the caller reads again and uses the winner's material.
import type { Diagnostic } from '../diagnostics.js';
import { CACERTS_KEYS, type CacertsKey, type ClusterCaMaterial } from './material.js';
import { normalisePem } from './pem.js';
import { SensitivePem } from './sensitive.js';

export type TrustLocation =
  | { readonly kind: 'directory'; readonly directory: string }
  | {
      readonly kind: 'secret';
      /** 'Secret meshctl-trust-mesh1 in namespace "meshctl-system" (context "cluster1")'. */
      readonly secret: string;
      /** The trust directory an empty Secret is filled from (./trust beside mesh.yaml). */
      readonly directory: string;
    };

/** "the trust directory /work/trust", or the Secret's description. */
export function describeLocation(location: TrustLocation): string {
  return location.kind === 'directory' ? `the trust directory ${location.directory}` : location.secret;
}

export type StoredCluster =
  { readonly state: 'absent' } | { readonly state: 'partial'; readonly missing: readonly CacertsKey[] } | { readonly state: 'complete'; readonly material: ClusterCaMaterial };

/** A cluster's four entries as read (text by key, or undefined when absent) as a StoredCluster. */
export function storedCluster(o: {
  readonly cluster: string;
  readonly texts: Readonly<Partial<Record<CacertsKey, string>>>;
  readonly settingsPath: string;
  /** Where each entry is, in words (MaterialOrigin.files). */
  readonly files: Readonly<Record<CacertsKey, string>>;
}): StoredCluster {
  const missing = CACERTS_KEYS.filter((k) => o.texts[k] === undefined);
  if (missing.length === CACERTS_KEYS.length) return { state: 'absent' };
  if (missing.length > 0) return { state: 'partial', missing };
  const text = o.texts as Record<CacertsKey, string>;
  return {
    state: 'complete',
    material: {
      cluster: o.cluster,
      caCert: normalisePem(text['ca-cert.pem']),
      caKey: new SensitivePem(text['ca-key.pem']),
      rootCert: normalisePem(text['root-cert.pem']),
      certChain: normalisePem(text['cert-chain.pem']),
      origin: { kind: 'generated', settingsPath: o.settingsPath, files: o.files },
    },
  };
}

export interface StoredTrust {
  /** False when there is nothing at all: no directory, no Secret. */
  readonly exists: boolean;
  readonly rootCert?: string;
  readonly rootKeyExists: boolean;
  /** The clusters asked for, each absent, partial or complete. */
  readonly clusters: ReadonlyMap<string, StoredCluster>;
  /** About the store itself (a directory other users may read). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Anything at all: a root file or any file of a cluster. */
export function holdsMaterial(stored: StoredTrust): boolean {
  return stored.rootCert !== undefined || stored.rootKeyExists || [...stored.clusters.values()].some((c) => c.state !== 'absent');
}

export interface NewMaterial {
  /** The root; without a key when it is copied from a directory whose key was moved offline. */
  readonly root?: { readonly certPem: string; readonly key?: SensitivePem };
  /** Each new cluster's four files, by key. */
  readonly clusters: ReadonlyMap<string, Readonly<Record<CacertsKey, string>>>;
}

export interface TrustStore {
  readonly location: TrustLocation;
  /** The mesh.yaml setting that put the material there, for diagnostics' path. */
  readonly settingsPath: string;
  /**
   * One entry in words a user can act on: 'root-cert.pem', 'root-key.pem', a cluster name (all
   * its files) or '<cluster>/<key>'. A path for the directory, a key of the Secret.
   */
  locate(entry: string): string;
  /** What is stored for these clusters and the root; never creates anything. */
  read(clusters: readonly string[]): Promise<StoredTrust>;
  /** The root key, read only when an intermediate has to be issued (or the root copied). */
  readRootKey(): Promise<SensitivePem | undefined>;
  /** Stores new entries only; 'conflict' when one of them exists by now (another runner). */
  add(material: NewMaterial): Promise<'added' | 'conflict'>;
}
