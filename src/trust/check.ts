// The checks over the whole mesh's material, before any of it reaches a cluster: one shared
// root (mismatched roots are Istio's classic multicluster failure, CERTIFICATE_VERIFY_FAILED on
// cross-cluster calls), a valid chain per cluster, and lifetimes. Pure: PEM text in,
// Diagnostic values out.
import { error, type Diagnostic } from '../diagnostics.js';
import { checkClusterChain } from './chain.js';
import { checkExpiry, type LabelledCertificate } from './expiry.js';
import { fingerprint } from './fingerprint.js';
import type { ClusterCaMaterial } from './material.js';
import { parseCertificate, parseCertificates } from './parse.js';

export const SHARED_ROOT_SUMMARY = 'Clusters do not share a root CA';

export interface CheckTrustOptions {
  /** Material per cluster name. */
  readonly material: ReadonlyMap<string, ClusterCaMaterial>;
  readonly now: Date;
  /** Days before expiry that produce a warning; default 30. */
  readonly expiryWarningDays?: number;
}

export function checkTrust(options: CheckTrustOptions): Diagnostic[] {
  const all = [...options.material.values()];
  return [
    ...checkSharedRoot(all),
    ...all.flatMap(checkClusterChain),
    ...checkExpiry({
      certificates: all.flatMap(certificatesOf),
      now: options.now,
      ...(options.expiryWarningDays === undefined ? {} : { warningDays: options.expiryWarningDays }),
    }),
  ];
}

/** Clusters grouped by the fingerprint of their root-cert.pem; more than one group is an error. */
export function checkSharedRoot(material: readonly ClusterCaMaterial[]): Diagnostic[] {
  const byRoot = new Map<string, string[]>();
  for (const m of material) {
    // Unreadable roots are reported by the chain check; they cannot be compared here.
    if (!parseCertificate(m.rootCert).ok) continue;
    const id = fingerprint(m.rootCert);
    byRoot.set(id, [...(byRoot.get(id) ?? []), m.cluster]);
  }
  if (byRoot.size <= 1) return [];
  const groups = [...byRoot].map(([id, clusters]) => `${clusters.join(', ')}: ${id}`);
  return [
    error(
      SHARED_ROOT_SUMMARY,
      `Every cluster's root-cert.pem must be the same root CA, but they name ${byRoot.size} different roots (${groups.join('; ')}). ` +
        "Workloads in one cluster would reject certificates from the others. Issue every cluster's intermediate from one root.",
      { path: 'trust' },
    ),
  ];
}

/** The certificates of one cluster whose lifetimes matter: root, intermediate, chain. */
function certificatesOf(m: ClusterCaMaterial): LabelledCertificate[] {
  const out: LabelledCertificate[] = [];
  const path = m.origin.settingsPath;
  const root = parseCertificate(m.rootCert);
  if (root.ok) out.push({ label: `the root CA in ${m.origin.files['root-cert.pem']}`, cert: root.value, path });
  const chain = parseCertificates(m.certChain);
  // ca-cert.pem is the chain's first entry when the chain is well formed; checking the chain
  // (rather than ca-cert.pem alone) also covers any further intermediates.
  const ca = parseCertificate(m.caCert);
  if (ca.ok) out.push({ label: `${m.cluster}'s ca-cert.pem (${m.origin.files['ca-cert.pem']})`, cert: ca.value, path });
  if (chain.ok) {
    for (const [i, cert] of chain.value.entries()) {
      out.push({ label: `${m.cluster}'s cert-chain.pem entry ${i + 1} (${m.origin.files['cert-chain.pem']})`, cert, path });
    }
  }
  return out;
}
