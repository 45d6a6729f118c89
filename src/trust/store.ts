// All file I/O for trust material. The generated layout is Istio's tools/certs layout, so a
// directory made by `make -f Makefile.selfsigned.mk root-ca <name>-cacerts` can be adopted
// as is:
//
//   <directory>/              0700
//     root-cert.pem           0600  the mesh's root CA certificate
//     root-key.pem            0600  its private key (needed only to issue new intermediates)
//     <cluster>/              0700
//       ca-cert.pem  ca-key.pem  cert-chain.pem  root-cert.pem   0600 each
//
// Files are created exclusively (flag "wx") and a cluster's files appear all at once (written
// into a temporary sibling directory, then renamed), so meshctl never overwrites trust
// material and an interrupted run leaves nothing half-made behind.
import { constants, promises as fs } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { CACERTS_KEYS, type CacertsKey, type ClusterCaMaterial } from './material.js';
import { normalisePem } from './pem.js';
import { SensitivePem } from './sensitive.js';
import { storedCluster, type StoredCluster } from './trust-store.js';

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

export interface TrustLayout {
  readonly directory: string;
  readonly rootCert: string;
  readonly rootKey: string;
}

export function trustLayout(directory: string): TrustLayout {
  return { directory, rootCert: join(directory, 'root-cert.pem'), rootKey: join(directory, 'root-key.pem') };
}

export function clusterFiles(layout: TrustLayout, cluster: string): Record<CacertsKey, string> {
  return Object.fromEntries(CACERTS_KEYS.map((k) => [k, join(layout.directory, cluster, k)])) as Record<CacertsKey, string>;
}

/** Creates the directory 0700, or warns when an existing one is open to other users. */
export async function prepareDirectory(directory: string): Promise<Diagnostic[]> {
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIR });
  return looseModeWarnings(directory, 'trust directory');
}

/** What the directory holds at the top level: the root files, each as text or absent. */
export async function readRootFiles(layout: TrustLayout): Promise<{ cert?: string; keyExists: boolean }> {
  const cert = await readIfExists(layout.rootCert);
  const keyExists = (await statIfExists(layout.rootKey)) !== undefined;
  return { ...(cert === undefined ? {} : { cert: normalisePem(cert) }), keyExists };
}

/** The root key, read only when an intermediate has to be issued. */
export async function readRootKey(layout: TrustLayout): Promise<SensitivePem | undefined> {
  const text = await readIfExists(layout.rootKey);
  return text === undefined ? undefined : new SensitivePem(text);
}

/**
 * Key first: a crash between the two leaves a key without a certificate, which is reported,
 * never reused. Without a key (a root copied from a store whose key was moved offline) only
 * the certificate.
 */
export async function writeRoot(layout: TrustLayout, root: { certPem: string; key?: SensitivePem }): Promise<void> {
  if (root.key) await writePrivateFile(layout.rootKey, root.key.reveal());
  await writePrivateFile(layout.rootCert, root.certPem);
  await syncDirectory(layout.directory);
}

/** Whether the directory (or anything at that path) exists. */
export async function pathExists(path: string): Promise<boolean> {
  return (await statIfExists(path)) !== undefined;
}

export async function readClusterDir(layout: TrustLayout, cluster: string): Promise<StoredCluster> {
  const files = clusterFiles(layout, cluster);
  const texts = await Promise.all(CACERTS_KEYS.map(async (k) => [k, await readIfExists(files[k])] as const));
  return storedCluster({ cluster, texts: Object.fromEntries(texts.filter(([, t]) => t !== undefined)), settingsPath: 'trust.generated.directory', files });
}

/** Writes a new cluster's four files; fails rather than replace a directory that has content. */
export async function writeClusterDir(layout: TrustLayout, cluster: string, contents: Readonly<Record<CacertsKey, string>>): Promise<void> {
  const staging = await mkdtemp(join(layout.directory, `.${cluster}.tmp-`));
  try {
    await chmod(staging, PRIVATE_DIR);
    for (const key of CACERTS_KEYS) await writePrivateFile(join(staging, key), contents[key]);
    await syncDirectory(staging);
    await rename(staging, join(layout.directory, cluster));
    await syncDirectory(layout.directory);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}

export interface ProvidedFiles {
  readonly rootCert: string;
  readonly cert: string;
  readonly key: string;
  readonly chain: string;
}

/** Reads a user's files for one cluster; unreadable files become error diagnostics. */
export async function readProvided(options: {
  readonly cluster: string;
  readonly files: ProvidedFiles;
  readonly settingsPath: string;
}): Promise<{ material?: ClusterCaMaterial; diagnostics: Diagnostic[] }> {
  const { files, settingsPath } = options;
  const byKey: Record<CacertsKey, string> = {
    'ca-cert.pem': files.cert,
    'ca-key.pem': files.key,
    'root-cert.pem': files.rootCert,
    'cert-chain.pem': files.chain,
  };
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<CacertsKey, string>();
  for (const key of CACERTS_KEYS) {
    try {
      texts.set(key, await readFile(byKey[key], 'utf8'));
    } catch (e) {
      diagnostics.push(
        error('Cannot read CA file', `${options.cluster}'s ${key} is to come from ${byKey[key]}, which cannot be read: ${describeFsError(e)}.`, {
          path: settingsPath,
        }),
      );
    }
  }
  if (diagnostics.length > 0) return { diagnostics };
  diagnostics.push(...(await looseModeWarnings(files.key, `${options.cluster}'s CA key file`)));
  return {
    diagnostics,
    material: {
      cluster: options.cluster,
      caCert: normalisePem(texts.get('ca-cert.pem')!),
      caKey: new SensitivePem(texts.get('ca-key.pem')!),
      rootCert: normalisePem(texts.get('root-cert.pem')!),
      certChain: normalisePem(texts.get('cert-chain.pem')!),
      origin: { kind: 'provided', settingsPath, files: byKey },
    },
  };
}

/** A warning when group or others may read the path (a key file or the trust directory). */
export async function looseModeWarnings(path: string, what: string): Promise<Diagnostic[]> {
  const st = await statIfExists(path);
  if (!st || (st.mode & 0o077) === 0) return [];
  const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
  const wanted = st.isDirectory() ? '700' : '600';
  return [
    warning('Private CA material readable by others', `The ${what} ${path} has mode ${mode}; other users on this machine may read CA keys.`, {
      hint: `chmod ${wanted} ${path}`,
    }),
  ];
}

// Keys are flushed to the disk, and then the directory entries naming them: once a generated
// root is in use (its intermediates in clusters), a power cut must not lose its key, which no
// one else holds (issue 19).
async function writePrivateFile(path: string, text: string): Promise<void> {
  // "wx": never replace an existing file; the mode applies at creation (umask can only narrow it).
  const fh = await fs.open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, PRIVATE_FILE);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const fh = await fs.open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function statIfExists(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
}
