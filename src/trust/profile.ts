// The properties of generated CA certificates, copied from Istio's own certificate tooling
// (istio/istio tools/certs/common.mk and Makefile.selfsigned.mk, the files the multicluster
// "plug in CA certificates" guide runs). Matching them means a mesh installed by meshctl has
// the same trust material as one installed by following the guide, and istiod sees nothing
// unusual. The mapping, variable by variable:
//
//   ROOTCA_KEYSZ / INTERMEDIATE_KEYSZ 4096, `openssl genrsa … 4096`  → keyBits 4096, e = 65537
//   default_md = sha256, `openssl x509 -req -sha256`                  → sha256WithRSAEncryption
//   ROOTCA_DAYS 3650 / INTERMEDIATE_DAYS 3650                         → rootDays / intermediateDays
//   ROOTCA_ORG Istio, ROOTCA_CN "Root CA"                             → root subject O, CN
//   INTERMEDIATE_ORG Istio, INTERMEDIATE_CN "Intermediate CA", L=<name> → intermediate subject
//   INTERMEDIATE_SAN_DNS istiod.istio-system.svc                      → intermediateSanDns
//   utf8 = yes                                                        → names as UTF8String
//   -CAcreateserial (OpenSSL 3: 20 random bytes, positive)            → serialBytes 20
//
// Extensions (fixed, not configurable, in issue.ts): root — subjectKeyIdentifier=hash,
// basicConstraints=critical,CA:true, keyUsage=critical,digitalSignature,nonRepudiation,
// keyEncipherment,keyCertSign; intermediate — the same plus pathlen:0, the SAN above, and the
// authorityKeyIdentifier (keyid) that OpenSSL 3 adds by default when signing with -CA.

export interface CaProfile {
  /** RSA modulus length for root and intermediate keys. */
  readonly keyBits: number;
  readonly rootDays: number;
  readonly intermediateDays: number;
  readonly organization: string;
  readonly rootCommonName: string;
  readonly intermediateCommonName: string;
  /** DNS SAN on every intermediate (istiod's in-cluster name). */
  readonly intermediateSanDns: string;
  /** Random serial length; OpenSSL's -CAcreateserial uses 20 bytes with the top bit clear. */
  readonly serialBytes: number;
}

/** What production uses. Tests may shrink keyBits to keep RSA generation fast; nothing else. */
export const ISTIO_CA_PROFILE: CaProfile = {
  keyBits: 4096,
  rootDays: 3650,
  intermediateDays: 3650,
  organization: 'Istio',
  rootCommonName: 'Root CA',
  intermediateCommonName: 'Intermediate CA',
  intermediateSanDns: 'istiod.istio-system.svc',
  serialBytes: 20,
};
