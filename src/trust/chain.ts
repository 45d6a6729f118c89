// Does one cluster's material form a chain istiod can use? istiod signs workload certificates
// with ca-key.pem, hands out cert-chain.pem with them and root-cert.pem as the trust anchor;
// if any link is wrong, workloads fail TLS with "unknown CA" only once traffic flows. These
// checks find that at plan time, with the file and certificate named.
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { caExtensions } from './extensions.js';
import { fingerprintDer } from './fingerprint.js';
import type { CacertsKey, ClusterCaMaterial } from './material.js';
import { parseCertificate, parseCertificates, subjectOf } from './parse.js';

export const CHAIN_SUMMARIES = {
  unreadable: 'Unreadable CA material',
  notCa: 'Certificate is not a CA',
  cannotSign: 'CA certificate may not sign certificates',
  keyMismatch: 'CA key does not match certificate',
  chainStart: 'Certificate chain does not start with ca-cert.pem',
  brokenLink: 'Certificate chain does not verify',
  rootNotSelfSigned: 'Root certificate is not self-signed',
} as const;

/** Every problem with one cluster's chain, root → intermediate(s) → key. */
export function checkClusterChain(m: ClusterCaMaterial): Diagnostic[] {
  const at = (key: CacertsKey) => `${m.cluster}'s ${key} (${m.origin.files[key]})`;
  const fail = (summary: string, detail: string) => error(summary, detail, { path: m.origin.settingsPath });

  const root = parseCertificate(m.rootCert);
  const ca = parseCertificate(m.caCert);
  const chain = parseCertificates(m.certChain);
  const unreadable: Diagnostic[] = [];
  if (!root.ok) unreadable.push(fail(CHAIN_SUMMARIES.unreadable, `${at('root-cert.pem')} is unusable: ${root.reason}.`));
  if (!ca.ok) unreadable.push(fail(CHAIN_SUMMARIES.unreadable, `${at('ca-cert.pem')} is unusable: ${ca.reason}.`));
  if (!chain.ok) unreadable.push(fail(CHAIN_SUMMARIES.unreadable, `${at('cert-chain.pem')} is unusable: ${chain.reason}.`));
  if (!root.ok || !ca.ok || !chain.ok) return unreadable;

  const diags: Diagnostic[] = [];
  for (const [cert, where] of [
    [root.value, at('root-cert.pem')],
    [ca.value, at('ca-cert.pem')],
  ] as const) {
    diags.push(...caProblems(cert, where).map((p) => fail(p.summary, p.detail)));
  }
  if (!root.value.checkIssued(root.value) || !root.value.verify(root.value.publicKey)) {
    // Some TLS stacks accept an intermediate as anchor, some do not; worth knowing, not fatal.
    diags.push(
      warning(
        CHAIN_SUMMARIES.rootNotSelfSigned,
        `${at('root-cert.pem')} (${subjectOf(root.value)}) is issued by ${root.value.issuer.split('\n').join(', ')}. ` +
          'Envoy may refuse a trust anchor that is not a self-signed root; use the top of your CA hierarchy.',
        { path: m.origin.settingsPath },
      ),
    );
  }
  const keyProblem = keyMismatch(ca.value, m);
  if (keyProblem) diags.push(fail(CHAIN_SUMMARIES.keyMismatch, `${at('ca-key.pem')} ${keyProblem}`));

  const links = chain.value;
  if (!sameCert(links[0]!, ca.value)) {
    diags.push(
      fail(
        CHAIN_SUMMARIES.chainStart,
        `${at('cert-chain.pem')} starts with ${subjectOf(links[0]!)}, not with ca-cert.pem (${subjectOf(ca.value)}). ` +
          'istiod serves cert-chain.pem with every workload certificate; it must be ca-cert.pem followed by its issuers up to the root.',
      ),
    );
    return diags;
  }
  // The chain as written, then the root if the file stops short of it (allowed: istiod
  // appends nothing, but peers hold root-cert.pem and can finish the path themselves).
  const path = sameCert(links.at(-1)!, root.value) ? links : [...links, root.value];
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i]!;
    const parent = path[i + 1]!;
    if (i > 0) diags.push(...caProblems(child, `${at('cert-chain.pem')} entry ${i + 1}`).map((p) => fail(p.summary, p.detail)));
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      const parentName = sameCert(parent, root.value) ? `the root (${subjectOf(parent)}, ${fp(parent)})` : subjectOf(parent);
      diags.push(
        fail(
          CHAIN_SUMMARIES.brokenLink,
          `In ${at('cert-chain.pem')}, ${subjectOf(child)} (${fp(child)}) is not signed by ${parentName}. ` +
            "Every cluster's intermediate must be issued, directly or through further intermediates, by the shared root in root-cert.pem.",
        ),
      );
    }
  }
  return diags;
}

interface Problem {
  readonly summary: string;
  readonly detail: string;
}

/**
 * The CA basic constraint and, if keyUsage is present, keyCertSign (RFC 5280 §4.2.1.3). Node's
 * `ca` (OpenSSL's X509_check_ca) folds both into one flag; the extensions tell which is wrong.
 */
function caProblems(cert: X509Certificate, where: string): Problem[] {
  // Node's flag (OpenSSL's X509_check_ca == 1) holds exactly when both are right; the DER is
  // read only to say which one is wrong.
  if (cert.ca) return [];
  const { basicConstraintsCa: constraintSaysCa, keyCertSign } = caExtensions(cert.raw);
  if (constraintSaysCa && keyCertSign === false) {
    return [
      {
        summary: CHAIN_SUMMARIES.cannotSign,
        detail: `${where} (${subjectOf(cert)}) has a keyUsage extension without keyCertSign; TLS peers reject certificates it signs.`,
      },
    ];
  }
  return [
    {
      summary: CHAIN_SUMMARIES.notCa,
      detail: `${where} (${subjectOf(cert)}) lacks basicConstraints CA:TRUE, so istiod cannot sign workload certificates with it and peers would reject them.`,
    },
  ];
}

/** undefined when the key is the certificate's; otherwise the end of a sentence saying why. */
function keyMismatch(cert: X509Certificate, m: ClusterCaMaterial): string | undefined {
  try {
    const key = createPrivateKey(m.caKey.reveal());
    return cert.checkPrivateKey(key) ? undefined : `is not the private key of ca-cert.pem (${subjectOf(cert)}, ${fp(cert)}).`;
  } catch (e) {
    // Node's message describes the parse failure, never the key's bytes.
    return `cannot be read as a private key (${(e as Error).message}).`;
  }
}

function sameCert(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

function fp(cert: X509Certificate): string {
  return fingerprintDer(cert.raw);
}
