// The trust library's public face: what plan/apply wiring imports. See docs/trust.md.
export {
  ensureTrust,
  readTrust,
  ROOT_GENERATED_SUMMARY,
  type EnsureTrustOptions,
  type TrustReading,
  type TrustResult,
} from './ensure.js';
export { checkTrust, checkSharedRoot, SHARED_ROOT_SUMMARY, type CheckTrustOptions } from './check.js';
export { CHAIN_SUMMARIES } from './chain.js';
export { EXPIRY_SUMMARIES, DEFAULT_EXPIRY_WARNING_DAYS } from './expiry.js';
export { checkLiveCacerts, LIVE_SUMMARIES, type CheckLiveCacertsOptions } from './live.js';
export { cacertsData, describeCacerts, UNREADABLE_PLACEHOLDER, type CacertsDescription } from './cacerts.js';
export { fingerprint, fingerprintDer } from './fingerprint.js';
export { ISTIO_CA_PROFILE, type CaProfile } from './profile.js';
export { SensitivePem, SENSITIVE_PLACEHOLDER } from './sensitive.js';
export {
  CACERTS_KEYS,
  CACERTS_SECRET,
  type CacertsCertificates,
  type CacertsKey,
  type ClusterCaMaterial,
  type MaterialOrigin,
} from './material.js';
