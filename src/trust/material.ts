// The per-cluster plug-in CA material and the shape of the Secret istiod reads it from.
// istiod mounts Secret `cacerts` in istio-system at ./etc/cacerts and uses exactly these four
// file names (see the multicluster "before you begin" guide); the trust directory meshctl
// generates uses the same names per cluster, like Istio's tools/certs layout.
import type { SensitivePem } from './sensitive.js';

export const CACERTS_SECRET = { namespace: 'istio-system', name: 'cacerts' } as const;

/** The Secret's data keys, in the order the guide's `kubectl create secret` lists them. */
export const CACERTS_KEYS = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;
export type CacertsKey = (typeof CACERTS_KEYS)[number];

/** The public half of a cluster's material: everything that is safe to show and compare. */
export interface CacertsCertificates {
  /** The trust anchor every cluster shares (root-cert.pem). */
  readonly rootCert: string;
  /** The cluster's intermediate CA certificate (ca-cert.pem). */
  readonly caCert: string;
  /** ca-cert.pem followed by its issuers up to and including the root (cert-chain.pem). */
  readonly certChain: string;
}

export interface ClusterCaMaterial extends CacertsCertificates {
  readonly cluster: string;
  /** The intermediate's private key (ca-key.pem); prints as "(sensitive)" everywhere. */
  readonly caKey: SensitivePem;
  readonly origin: MaterialOrigin;
}

/**
 * Where material came from, so diagnostics can point at the file to fix and at the mesh.yaml
 * setting that named it.
 */
export interface MaterialOrigin {
  /** meshctl's trust directory, or files the user named. */
  readonly kind: 'generated' | 'provided';
  /** Path into mesh.yaml, e.g. "trust.generated.directory" or "trust.provided.clusters.cluster1". */
  readonly settingsPath: string;
  /** The file each Secret key was read from. */
  readonly files: Readonly<Record<CacertsKey, string>>;
}
