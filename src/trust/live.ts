// The cacerts Secret already in a cluster. If it chains to a different root than the mesh's,
// overwriting it would swap the root of trust under running workloads: every proxy's
// certificate stops verifying until istiod and all workloads restart, and the old root may be
// one the user depends on. So a mismatch is reported as an error with both fingerprints and
// meshctl never replaces the Secret on its own. Same root, different intermediate is not this
// check's concern (the planner shows it as an ordinary update).
import { error, type Diagnostic } from '../diagnostics.js';
import { fingerprint } from './fingerprint.js';
import { CACERTS_SECRET, type CacertsCertificates } from './material.js';
import { parseCertificate, parseCertificates } from './parse.js';

export const LIVE_SUMMARIES = {
  otherRoot: 'Live cacerts chain to another root',
  unreadable: 'Unreadable live cacerts',
} as const;

export interface CheckLiveCacertsOptions {
  readonly cluster: string;
  /** The live Secret's data, base64-decoded to PEM text, by key. */
  readonly live: Readonly<Record<string, string>>;
  /** The material meshctl would apply (only its public certificates are read). */
  readonly desired: CacertsCertificates;
}

export function checkLiveCacerts(options: CheckLiveCacertsOptions): Diagnostic[] {
  const { cluster, live } = options;
  const secret = `Secret ${CACERTS_SECRET.namespace}/${CACERTS_SECRET.name} in cluster ${cluster}`;
  const liveRoot = liveRootOf(live);
  if (liveRoot === undefined) {
    return [
      error(
        LIVE_SUMMARIES.unreadable,
        `${secret} exists but holds no readable root certificate (looked for root-cert.pem, ca.crt, then the last entry of cert-chain.pem). ` +
          'meshctl will not replace a cacerts it cannot identify; inspect it and delete it deliberately if it is stale.',
        { path: `clusters.${cluster}` },
      ),
    ];
  }
  const want = fingerprint(options.desired.rootCert);
  const have = fingerprint(liveRoot);
  if (have === want) return [];
  return [
    error(
      LIVE_SUMMARIES.otherRoot,
      `${secret} chains to root ${have}, but the mesh's root is ${want}. ` +
        'This is reported, never silently overwritten: replacing the root breaks mTLS for running workloads until istiod and every proxy restart. ' +
        'Either configure trust to use the live root (trust: provided), or delete the Secret deliberately and plan again.',
      { path: `clusters.${cluster}` },
    ),
  ];
}

export interface CheckLiveTrustOptions {
  /** The mesh's cacerts Secret data (base64 by key) per cluster that has material. */
  readonly material: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The data (base64 by key) of the cacerts Secret each cluster already holds, where it has one. */
  readonly live: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

const pem = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

/** A cacerts Secret's certificates as PEM text, by key; its private key is never decoded or kept. */
export function cacertsCertificates(data: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data)
      .filter(([k]) => !k.includes('key'))
      .map(([k, v]) => [k, pem(v)]),
  );
}

/** checkLiveCacerts for every cluster with both: Secret data as listed, private keys never decoded. */
export function checkLiveTrust(options: CheckLiveTrustOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [cluster, data] of options.material) {
    const secret = options.live.get(cluster);
    if (!secret) continue;
    const decoded = cacertsCertificates(secret);
    out.push(...checkLiveCacerts({ cluster, live: decoded, desired: { rootCert: pem(data['root-cert.pem']), caCert: pem(data['ca-cert.pem']), certChain: pem(data['cert-chain.pem']) } }));
  }
  return out;
}

/** The live trust anchor: root-cert.pem, or ca.crt (istiod's TLS-style keys), or the chain's end. */
export function liveRootOf(live: Readonly<Record<string, string>>): string | undefined {
  for (const key of ['root-cert.pem', 'ca.crt']) {
    const text = live[key];
    if (text === undefined) continue;
    const parsed = parseCertificate(text);
    if (parsed.ok) return parsed.value.toString();
  }
  const chain = live['cert-chain.pem'];
  if (chain === undefined) return undefined;
  const parsed = parseCertificates(chain);
  return parsed.ok ? parsed.value.at(-1)!.toString() : undefined;
}
