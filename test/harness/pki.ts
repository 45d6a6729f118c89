// Throwaway PKI for the local test clusters: one CA per cluster, a serving certificate, an admin
// client certificate and a service-account key pair.
//
// Certificates come from Debian's `openssl` CLI rather than an npm package: this is test-only
// code, the CLI is on every machine that runs the e2e tests, and it keeps meshctl's dependency
// list free of a crypto library it would ship for nothing. Keys that need no certificate (the
// service-account signer) come from node:crypto.
import { execFile } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of one PEM certificate and its key. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  ca: CertFiles;
  /** kube-apiserver's serving certificate; SANs 127.0.0.1 and localhost. */
  serving: CertFiles;
  /** CN=admin, O=system:masters: full rights through real RBAC-backed client-cert authentication. */
  admin: CertFiles;
  /** Service-account token signer: the private key signs, the public key verifies. */
  serviceAccount: { privateKey: string; publicKey: string };
}

// P-256 keeps generation fast (RSA-2048 takes noticeably longer on 2 cores) and every client
// involved (Go, Node, openssl) accepts it.
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('The `openssl` command is missing; the test clusters need it to make certificates (apt-get install openssl).');
    }
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

/** A self-signed CA; `name` goes into the subject so certificates are traceable to a cluster. */
export async function createCa(options: { dir: string; name: string; file?: string }): Promise<CertFiles> {
  const base = join(options.dir, options.file ?? 'ca');
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  await openssl([
    'req',
    '-x509',
    '-new',
    ...ecKey,
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    '365',
    '-subj',
    `/CN=${options.name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return files;
}

/** A leaf certificate signed by `ca`, in one openssl call (`req -x509 -CA`, OpenSSL ≥ 3.0). */
export async function issueCert(options: { ca: CertFiles; dir: string; file: string; subject: string; usage: 'server' | 'client'; sans?: string[] }): Promise<CertFiles> {
  const base = join(options.dir, options.file);
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  const ext = [
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext',
    `extendedKeyUsage=${options.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
  ];
  if (options.sans?.length) ext.push('-addext', `subjectAltName=${options.sans.join(',')}`);
  await openssl(['req', '-x509', '-new', ...ecKey, '-keyout', files.key, '-out', files.cert, '-days', '365', '-subj', options.subject, '-CA', options.ca.cert, '-CAkey', options.ca.key, ...ext]);
  return files;
}

async function createServiceAccountKeys(dir: string): Promise<ClusterPki['serviceAccount']> {
  const pair = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const files = { privateKey: join(dir, 'sa.key'), publicKey: join(dir, 'sa.pub') };
  await writeFile(files.privateKey, pair.privateKey, { mode: 0o600 });
  await writeFile(files.publicKey, pair.publicKey, { mode: 0o600 });
  return files;
}

/** Everything one cluster needs; a fresh CA per cluster so clusters never trust each other. */
export async function createClusterPki(options: { dir: string; clusterName: string }): Promise<ClusterPki> {
  const { dir, clusterName } = options;
  const [ca, serviceAccount] = await Promise.all([createCa({ dir, name: `meshctl-test-ca-${clusterName}` }), createServiceAccountKeys(dir)]);
  const [serving, admin] = await Promise.all([
    issueCert({ ca, dir, file: 'apiserver', subject: `/CN=kube-apiserver-${clusterName}`, usage: 'server', sans: ['IP:127.0.0.1', 'DNS:localhost'] }),
    issueCert({ ca, dir, file: 'admin', subject: '/O=system:masters/CN=admin', usage: 'client' }),
  ]);
  return { ca, serving, admin, serviceAccount };
}
