// `meshctl verify`, the judging half: a pure function from the mesh's shape and what the live
// clusters show (observe/verify-facts.ts) to one result per check, each naming what is broken
// and the fix to try. The checks are the evidence a connected mesh leaves: istiod running at
// the version asked for, one root of trust, gateways with addresses, remotes pointing at their
// primary's gateway, remote secrets whose own credentials work, and, in every cluster a
// primary controls, what its istiod wrote there (webhook caBundle, istio-ca-root-cert).
import type { X509Certificate } from 'node:crypto';
import type { Topology } from '../config/topology.js';
import { loadBalancerAddress } from '../kube/object.js';
import { CONTROLLER_PERMISSIONS, permissionText, READER_PERMISSIONS, type Permission } from '../model/istiod-permissions.js';
import type { MeshShape } from '../model/mesh-shape.js';
import { ISTIO_NAMESPACE, REMOTE_SECRET_PREFIX, revisioned } from '../model/names.js';
import type { ClusterFacts, VerifyFacts } from '../observe/verify-facts.js';
import { fingerprintDer } from '../trust/fingerprint.js';
import { parseCertificates } from '../trust/parse.js';
import { revisionTagChecks } from './revision-tag-check.js';

export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
/** error: the check could not be made (a cluster could not be read). */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  /** What is checked: istiod, cacerts, east-west-gateway, remote-address, remote-secret, reached, revision-tag. */
  readonly check: string;
  /** A cluster ("cluster1") or a link ("cluster1 → cluster2"). */
  readonly scope: string;
  readonly status: CheckStatus;
  readonly summary: string;
  /** What to try, when it did not pass. */
  readonly fix?: string;
}

export interface VerifyReport {
  readonly results: readonly CheckResult[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
}

const EXPIRY_WARNING_DAYS = 30;
const APPLY = 'Run meshctl plan to see what apply would repair, then meshctl apply.';

/** The permissions verify asks about with the remote secret `holder` holds for `target`. */
export function permissionsFor(shape: MeshShape, holder: string, target: string): readonly Permission[] {
  return shape.controllerOf.get(target) === holder ? [...READER_PERMISSIONS, ...CONTROLLER_PERMISSIONS] : READER_PERMISSIONS;
}

export function verifyMesh(topology: Topology, shape: MeshShape, facts: VerifyFacts): VerifyReport {
  const results: CheckResult[] = [];
  const root = meshRoot(topology, shape, facts);
  for (const c of shape.clusters) {
    const f = facts.clusters.get(c.name);
    if (!f || f.unreachable !== undefined) {
      results.push({
        check: 'cluster',
        scope: c.name,
        status: 'error',
        summary: `cannot read cluster ${c.name}: ${f?.unreachable ?? 'no client'}`,
        fix: `Check that context "${c.context}" reaches the cluster (kubectl --context ${c.context} get ns).`,
      });
      continue;
    }
    if (c.role === 'primary') results.push(istiodCheck(topology, f));
    if (topology.trust.mode !== 'none') results.push(...cacertsChecks(f, root, facts.at));
    if (shape.gateways.has(c.name)) results.push(gatewayCheck(f));
  }
  for (const [remote, primary] of shape.controllerOf) results.push(...readable(facts, [remote, primary], () => remoteAddressCheck(facts.clusters.get(remote)!, facts.clusters.get(primary)!, primary)));
  for (const { target, source } of shape.secrets) results.push(...readable(facts, [target], () => remoteSecretChecks(shape, facts.clusters.get(target)!, source)));
  for (const c of shape.clusters) {
    const controller = c.role === 'primary' ? c.name : shape.controllerOf.get(c.name);
    if (controller) results.push(...readable(facts, [c.name], () => reachedChecks(facts.clusters.get(c.name)!, controller, root)));
    if (controller) results.push(...readable(facts, [c.name], () => revisionTagChecks(topology, facts.clusters.get(c.name)!, controller, APPLY)));
  }
  const counts = { pass: 0, warn: 0, fail: 0, error: 0 };
  for (const r of results) counts[r.status]++;
  return { results, counts };
}

/** Checks that need these clusters' facts: none when one could not be read (reported once above). */
function readable(facts: VerifyFacts, clusters: readonly string[], checks: () => CheckResult | CheckResult[]): CheckResult[] {
  if (clusters.some((c) => facts.clusters.get(c)?.unreachable !== undefined || !facts.clusters.has(c))) return [];
  const out = checks();
  return Array.isArray(out) ? out : [out];
}

function istiodCheck(t: Topology, f: ClusterFacts): CheckResult {
  const name = revisioned('istiod', t.istio.revision);
  const base = { check: 'istiod', scope: f.cluster };
  const d = f.istiods.find((x) => x.metadata.name === name);
  if (!d) return { ...base, status: 'fail', summary: `no Deployment ${ISTIO_NAMESPACE}/${name}`, fix: APPLY };
  const image =
    ((d.spec as { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } | undefined)?.template?.spec?.containers ?? []).find((x) => x.name === 'discovery')?.image ?? '';
  const tag = image.slice(image.lastIndexOf(':') + 1);
  const available = ((d.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((x) => x.type === 'Available' && x.status === 'True');
  if (tag !== t.istio.tag) return { ...base, status: 'fail', summary: `Deployment ${ISTIO_NAMESPACE}/${name} runs ${image || 'no discovery container'}, not Istio ${t.istio.tag}`, fix: APPLY };
  if (!available)
    return {
      ...base,
      status: 'fail',
      summary: `Deployment ${ISTIO_NAMESPACE}/${name} is not Available`,
      fix: `kubectl --context <${f.cluster}> -n ${ISTIO_NAMESPACE} rollout status deployment/${name}; then kubectl describe its pods.`,
    };
  return { ...base, status: 'pass', summary: `Deployment ${ISTIO_NAMESPACE}/${name} Available, Istio ${t.istio.tag}${t.istio.revision ? `, revision ${t.istio.revision}` : ''}` };
}

interface MeshRoot {
  readonly fingerprint: string;
  /** Clusters whose cacerts hold it. */
  readonly holders: readonly string[];
}

/** The root most clusters' cacerts hold (ties: the first cluster of mesh.yaml's). */
function meshRoot(t: Topology, shape: MeshShape, facts: VerifyFacts): MeshRoot | undefined {
  if (t.trust.mode === 'none') return undefined;
  const byRoot = new Map<string, string[]>();
  for (const c of shape.clusters) {
    const fp = firstFingerprint(facts.clusters.get(c.name)?.cacerts?.['root-cert.pem']);
    if (fp) byRoot.set(fp, [...(byRoot.get(fp) ?? []), c.name]);
  }
  let best: MeshRoot | undefined;
  for (const [fingerprint, holders] of byRoot) if (!best || holders.length > best.holders.length) best = { fingerprint, holders };
  return best;
}

function certificates(pem: string | undefined): X509Certificate[] {
  if (!pem) return [];
  const parsed = parseCertificates(pem);
  return parsed.ok ? parsed.value : [];
}

function firstFingerprint(pem: string | undefined): string | undefined {
  const [cert] = certificates(pem);
  return cert ? fingerprintDer(cert.raw) : undefined;
}

function cacertsChecks(f: ClusterFacts, root: MeshRoot | undefined, at: string): CheckResult[] {
  const base = { check: 'cacerts', scope: f.cluster };
  if (!f.cacerts) return [{ ...base, status: 'fail', summary: `no Secret ${ISTIO_NAMESPACE}/cacerts: istiod signs with a root of its own, and cross-cluster mTLS fails`, fix: APPLY }];
  const [rootCert] = certificates(f.cacerts['root-cert.pem']);
  const [ca] = certificates(f.cacerts['ca-cert.pem']);
  if (!rootCert || !ca) return [{ ...base, status: 'fail', summary: 'cacerts holds no readable root-cert.pem or ca-cert.pem', fix: APPLY }];
  const fp = fingerprintDer(rootCert.raw);
  if (root && fp !== root.fingerprint) {
    return [
      {
        ...base,
        status: 'fail',
        summary: `cacerts chain to root ${fp}, not the mesh root ${root.fingerprint} that ${root.holders.join(', ')} ${root.holders.length === 1 ? 'holds' : 'hold'}`,
        fix: 'Workloads here cannot verify the others: plug in an intermediate CA of the mesh root (docs/trust.md), or rotate the whole mesh to one root.',
      },
    ];
  }
  if (!ca.verify(rootCert.publicKey)) return [{ ...base, status: 'fail', summary: `ca-cert.pem (${ca.subject.replace(/\n/g, ', ')}) is not signed by root-cert.pem`, fix: APPLY }];
  const out: CheckResult[] = [];
  const now = Date.parse(at);
  for (const [label, cert] of [
    ['intermediate CA', ca],
    ['root CA', rootCert],
  ] as const) {
    const days = Math.floor((Date.parse(cert.validTo) - now) / 86_400_000);
    if (days < 0) out.push({ ...base, status: 'fail', summary: `the ${label} expired on ${new Date(cert.validTo).toISOString()}`, fix: 'Issue a new one and apply (docs/trust.md).' });
    else if (days <= EXPIRY_WARNING_DAYS)
      out.push({
        ...base,
        status: 'warn',
        summary: `the ${label} expires in ${days} day${days === 1 ? '' : 's'} (${new Date(cert.validTo).toISOString()})`,
        fix: 'Rotate it before then; workloads lose mTLS when it lapses.',
      });
  }
  if (out.length === 0) out.push({ ...base, status: 'pass', summary: `chains to the mesh root ${fp}; intermediate valid until ${new Date(ca.validTo).toISOString().slice(0, 10)}` });
  return out;
}

function gatewayCheck(f: ClusterFacts): CheckResult {
  const base = { check: 'east-west-gateway', scope: f.cluster };
  if (!f.eastwestService) return { ...base, status: 'fail', summary: `no Service ${ISTIO_NAMESPACE}/istio-eastwestgateway`, fix: APPLY };
  const a = loadBalancerAddress(f.eastwestService);
  return a
    ? { ...base, status: 'pass', summary: `address ${a}` }
    : { ...base, status: 'fail', summary: 'the gateway Service has no LoadBalancer address', fix: 'Check the cloud load balancer (kubectl describe service istio-eastwestgateway -n istio-system).' };
}

/** Where a remote's install sends istiod traffic: its injection webhook URLs and istiod endpoints. */
function remoteAddressCheck(remote: ClusterFacts, primary: ClusterFacts, primaryName: string): CheckResult {
  const base = { check: 'remote-address', scope: `${primaryName} → ${remote.cluster}` };
  const address = loadBalancerAddress(primary.eastwestService);
  if (!address)
    return {
      ...base,
      status: 'fail',
      summary: `${primaryName}'s east-west gateway has no address, so ${remote.cluster} cannot reach its istiod`,
      fix: 'Fix the gateway address first (see the east-west-gateway check).',
    };
  const used = new Set<string>();
  for (const w of remote.injectors) for (const h of (w as { webhooks?: { clientConfig?: { url?: string } }[] }).webhooks ?? []) if (h.clientConfig?.url) used.add(hostOf(h.clientConfig.url));
  for (const s of remote.remoteIstiodEndpoints) for (const e of (s as { endpoints?: { addresses?: string[] }[] }).endpoints ?? []) for (const a of e.addresses ?? []) used.add(a);
  if (used.size === 0) return { ...base, status: 'fail', summary: `${remote.cluster} has no injection webhook or istiod endpoint pointing anywhere`, fix: APPLY };
  const wrong = [...used].filter((a) => a !== address);
  if (wrong.length) return { ...base, status: 'fail', summary: `${remote.cluster}'s install points at ${wrong.join(', ')}, but ${primaryName}'s east-west gateway is at ${address}`, fix: APPLY };
  return { ...base, status: 'pass', summary: `${remote.cluster}'s install (injection URL, discovery address) points at ${primaryName}'s east-west gateway ${address}` };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return url;
  }
}

function remoteSecretChecks(shape: MeshShape, holder: ClusterFacts, source: string): CheckResult[] {
  const name = `${REMOTE_SECRET_PREFIX}${source}`;
  const base = { check: 'remote-secret', scope: `${holder.cluster} → ${source}` };
  const probe = holder.remoteSecrets.find((p) => p.secret === name);
  if (!probe) return [{ ...base, status: 'fail', summary: `${holder.cluster} holds no Secret ${ISTIO_NAMESPACE}/${name}: its istiod does not see ${source}`, fix: APPLY }];
  if (probe.target !== source) return [{ ...base, status: 'fail', summary: `Secret ${name} holds a kubeconfig for "${probe.target}", not ${source}`, fix: APPLY }];
  if (probe.unusable !== undefined) return [{ ...base, status: 'fail', summary: `Secret ${name} cannot be used: ${probe.unusable}`, fix: APPLY }];
  if (probe.identity === 'unauthenticated' || probe.identity === undefined) {
    return [
      {
        ...base,
        status: 'fail',
        summary: `${source}'s API server (${probe.server}) refuses the credential in Secret ${name} (401): the reader token was deleted or revoked`,
        fix: `${APPLY} It recreates the reader token in ${source} and the remote secret in ${holder.cluster}.`,
      },
    ];
  }
  const who = probe.identity.username;
  const wanted = permissionsFor(shape, holder.cluster, source);
  const denied = wanted.filter((p) => !probe.permissions.some((a) => a.verb === p.verb && a.group === p.group && a.resource === p.resource && a.allowed));
  if (denied.length)
    return [
      { ...base, status: 'fail', summary: `authenticates to ${source} as ${who}, who may not ${denied.map(permissionText).join(', ')}`, fix: `${APPLY} It restores the reader's RBAC in ${source}.` },
    ];
  return [
    { ...base, status: 'pass', summary: `Secret ${name} authenticates to ${source} as ${who}, who may ${wanted.length} things istiod needs (${wanted.slice(0, 3).map(permissionText).join(', ')}, …)` },
  ];
}

/** What a running istiod of `controller` wrote into this cluster: the webhook caBundle and root-cert ConfigMaps. */
function reachedChecks(f: ClusterFacts, controller: string, root: MeshRoot | undefined): CheckResult[] {
  const base = { check: 'reached', scope: controller === f.cluster ? f.cluster : `${controller} → ${f.cluster}` };
  const who = `istiod of ${controller}`;
  const bundles = f.injectors.flatMap((w) => ((w as { webhooks?: { clientConfig?: { caBundle?: string } }[] }).webhooks ?? []).map((h) => h.clientConfig?.caBundle));
  if (bundles.length === 0) return [{ ...base, status: 'fail', summary: `${f.cluster} has no sidecar injection webhook`, fix: APPLY }];
  if (bundles.some((b) => !b))
    return [
      {
        ...base,
        status: 'fail',
        summary: `the injection webhook in ${f.cluster} has no caBundle: ${who} has not reached it`,
        fix: `Check ${who} is running and its logs; ${controller === f.cluster ? '' : `check the remote-secret ${controller} → ${f.cluster} above; `}then verify again.`,
      },
    ];
  const chains = (pem: string) => !root || certificates(pem).some((c) => fingerprintDer(c.raw) === root.fingerprint);
  if (!bundles.every((b) => chains(Buffer.from(b!, 'base64').toString('utf8')))) {
    return [
      {
        ...base,
        status: 'fail',
        summary: `the injection webhook caBundle in ${f.cluster} does not hold the mesh root ${root?.fingerprint}: another istiod (another root) wrote it`,
        fix: `Check which istiod controls ${f.cluster}, and its cacerts.`,
      },
    ];
  }
  const holding = f.rootCertConfigMaps.filter((c) => chains((c as { data?: Record<string, string> }).data?.['root-cert.pem'] ?? ''));
  if (!holding.some((c) => c.metadata.namespace === ISTIO_NAMESPACE)) {
    return [
      {
        ...base,
        status: 'fail',
        summary: `no istio-ca-root-cert with the mesh root in ${f.cluster}'s ${ISTIO_NAMESPACE}: ${who} has not written it`,
        fix: `Check ${who} is running and its logs, then verify again.`,
      },
    ];
  }
  // istiod's namespace controller skips these (inject.IgnoredNamespaces).
  const served = f.namespaces.filter((n) => !['kube-public', 'kube-node-lease', 'local-path-storage'].includes(n));
  const missing = served.filter((n) => !holding.some((c) => c.metadata.namespace === n));
  const summary = `${who} reached ${f.cluster}: the injection webhook caBundle holds the mesh root; istio-ca-root-cert in ${holding.length} namespace${holding.length === 1 ? '' : 's'}`;
  if (missing.length)
    return [{ ...base, status: 'warn', summary: `${summary}, missing in ${missing.join(', ')}`, fix: `New namespaces get it within seconds; if it stays missing, check ${who}'s logs.` }];
  return [{ ...base, status: 'pass', summary }];
}
