// Generated trust kept beside a Kubernetes state: one Opaque Secret in the state's namespace,
// one key per file of the directory layout (a Secret key cannot hold '/', so a cluster's file
// <cluster>/<key> is the key '<cluster>.<key>'):
//
//   Secret meshctl-trust-<mesh>     root-cert.pem  root-key.pem
//                                   cluster1.ca-cert.pem  cluster1.ca-key.pem
//                                   cluster1.root-cert.pem  cluster1.cert-chain.pem  …
//
// src/trust never reaches a cluster itself: it is handed the few calls it needs (the CLI gives
// it the state backend's NamespacedApi). Create-only, as the directory: the first material is a
// POST (a second runner gets 409 and reads the winner's), later clusters are added by a PUT on
// the resourceVersion that was read (409: someone else wrote first; read again), and no key
// that exists is ever changed or removed. Values never leave this module except as material
// (keys as SensitivePem); messages name keys, never their contents.
import { CACERTS_KEYS, type CacertsKey } from './material.js';
import { normalisePem } from './pem.js';
import { SensitivePem } from './sensitive.js';
import { storedCluster, type NewMaterial, type StoredCluster, type StoredTrust, type TrustLocation, type TrustStore } from './trust-store.js';

export interface SecretObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  /** name and resourceVersion are what this store reads; it sends labels and annotations too. */
  readonly metadata: { readonly name: string; readonly resourceVersion?: string } & Readonly<Record<string, unknown>>;
  readonly type?: string;
  /** base64 by key. */
  readonly data?: Readonly<Record<string, string>>;
}

/** The Secrets of one namespace, as src/state/kube-api.ts NamespacedApi offers them. */
export interface SecretsApi {
  /** 'namespace "meshctl-system" (context "cluster1")'. */
  readonly describe: string;
  readonly namespace: string;
  get(name: string): Promise<SecretObject | null>;
  /** 'conflict' when it exists already. */
  create(obj: SecretObject): Promise<SecretObject | 'conflict'>;
  /** Only if obj.metadata.resourceVersion is still current; 'conflict' otherwise. */
  replace(obj: SecretObject): Promise<SecretObject | 'conflict'>;
}

export interface SecretTrustStoreOptions {
  readonly secrets: SecretsApi;
  /** The Secret's name (meshctl-trust-<mesh>). */
  readonly name: string;
  readonly meshID: string;
  /** The trust directory an empty Secret is filled from, for messages. */
  readonly directory: string;
}

const ROOT_KEYS = { cert: 'root-cert.pem', key: 'root-key.pem' } as const;
const clusterKey = (cluster: string, key: CacertsKey) => `${cluster}.${key}`;
const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export class SecretTrustStore implements TrustStore {
  readonly location: TrustLocation;
  readonly settingsPath = 'state.kubernetes';
  private readonly secret: string;
  /** The Secret as last read or written (null: there is none); what add() builds on. */
  private known: SecretObject | null | undefined;

  constructor(private readonly o: SecretTrustStoreOptions) {
    this.secret = `Secret ${o.name} in ${o.secrets.describe}`;
    this.location = { kind: 'secret', secret: this.secret, directory: o.directory };
  }

  locate(entry: string): string {
    const slash = entry.indexOf('/');
    if (slash >= 0) return `key ${entry.slice(0, slash)}.${entry.slice(slash + 1)} of ${this.secret}`;
    if (entry === ROOT_KEYS.cert || entry === ROOT_KEYS.key) return `key ${entry} of ${this.secret}`;
    return `keys ${entry}.* of ${this.secret}`;
  }

  async read(clusters: readonly string[]): Promise<StoredTrust> {
    this.known = await this.o.secrets.get(this.o.name);
    const data = this.known?.data ?? {};
    const stored = new Map<string, StoredCluster>(clusters.map((c) => [c, this.clusterOf(data, c)]));
    const cert = data[ROOT_KEYS.cert];
    return {
      exists: this.known !== null,
      ...(cert === undefined ? {} : { rootCert: normalisePem(text(cert)) }),
      rootKeyExists: data[ROOT_KEYS.key] !== undefined,
      clusters: stored,
      diagnostics: [],
    };
  }

  async readRootKey(): Promise<SensitivePem | undefined> {
    if (this.known === undefined) this.known = await this.o.secrets.get(this.o.name);
    const key = this.known?.data?.[ROOT_KEYS.key];
    return key === undefined ? undefined : new SensitivePem(text(key));
  }

  async add(material: NewMaterial): Promise<'added' | 'conflict'> {
    if (this.known === undefined) this.known = await this.o.secrets.get(this.o.name);
    const entries: Record<string, string> = {};
    if (material.root) {
      entries[ROOT_KEYS.cert] = b64(material.root.certPem);
      if (material.root.key) entries[ROOT_KEYS.key] = b64(material.root.key.reveal());
    }
    for (const [cluster, contents] of material.clusters) for (const k of CACERTS_KEYS) entries[clusterKey(cluster, k)] = b64(contents[k]);
    const have = this.known?.data ?? {};
    if (Object.keys(entries).some((k) => have[k] !== undefined)) return 'conflict';
    const answer = this.known
      ? await this.o.secrets.replace({ ...this.known, data: { ...have, ...entries } })
      : await this.o.secrets.create({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: this.o.name,
            namespace: this.o.secrets.namespace,
            labels: { 'app.kubernetes.io/managed-by': 'meshctl', 'meshctl.io/mesh-id': this.o.meshID },
            annotations: { 'meshctl.io/purpose': "the mesh's generated root CA and intermediates (docs/trust.md)" },
          },
          type: 'Opaque',
          data: entries,
        });
    if (answer === 'conflict') {
      this.known = undefined;
      return 'conflict';
    }
    this.known = answer;
    return 'added';
  }

  private clusterOf(data: Readonly<Record<string, string>>, cluster: string): StoredCluster {
    const texts = Object.fromEntries(CACERTS_KEYS.flatMap((k) => (data[clusterKey(cluster, k)] === undefined ? [] : [[k, text(data[clusterKey(cluster, k)]!)]])));
    const files = Object.fromEntries(CACERTS_KEYS.map((k) => [k, this.locate(`${cluster}/${k}`)])) as Record<CacertsKey, string>;
    return storedCluster({ cluster, texts, settingsPath: this.settingsPath, files });
  }
}
