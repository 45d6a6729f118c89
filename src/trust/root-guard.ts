// The root is never swapped silently. With generated trust, a root that is not where meshctl
// looks (a fresh CI runner or a colleague's checkout without ./trust, an empty trust Secret)
// reads as "first run": apply would mint a new root and push it into every cluster's cacerts,
// breaking every cross-cluster mTLS connection of a running mesh. So when the root is still to
// be generated but the mesh already runs on one (a cluster holds a cacerts Secret, or the state
// records one), plan and apply refuse: the error names the root the clusters hold, where meshctl
// looked and how to supply the root. --new-root is the explicit choice to start over, shown as a
// warning. Pure: the caller hands in the live Secrets' data and the state's records.
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { fingerprint } from './fingerprint.js';
import { cacertsCertificates, liveRootOf } from './live.js';
import { CACERTS_SECRET } from './material.js';
import { describeLocation, type TrustLocation } from './trust-store.js';

export const ROOT_GUARD_SUMMARIES = {
  missing: 'Root CA not found for a running mesh',
  replacing: 'New root CA for a running mesh',
} as const;

export interface CheckRootKeptOptions {
  /** Generated trust found no root where it looked: apply would create one. */
  readonly pendingRoot: boolean;
  /** Where it looked (undefined: trust is not generated). */
  readonly location: TrustLocation | undefined;
  /** The data (base64 by key) of the cacerts Secret each cluster already holds. */
  readonly live: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Clusters whose cacerts the state records, each with the root fingerprint recorded (when known). */
  readonly recorded: ReadonlyMap<string, string | undefined>;
  /** --new-root: generate a new root anyway. */
  readonly newRoot: boolean;
}

export function checkRootKept(o: CheckRootKeptOptions): Diagnostic[] {
  if (!o.pendingRoot || o.location === undefined) return [];
  const held = describeHeld(o);
  if (held === undefined) return [];
  const where = describeLocation(o.location);
  if (o.newRoot) {
    return [
      warning(
        ROOT_GUARD_SUMMARIES.replacing,
        `--new-root: ${where} holds no root CA, and apply generates a new one although the mesh runs on another: ${held}. ` +
          "Apply replaces every cluster's cacerts with the new root: cross-cluster mTLS fails until istiod and every workload run with it.",
        { path: 'trust' },
      ),
    ];
  }
  return [
    error(
      ROOT_GUARD_SUMMARIES.missing,
      `meshctl looked for the mesh's root CA in ${where} and found none, but the mesh already runs on a root: ${held}. ` +
        "Generating a new root would replace every cluster's cacerts and break cross-cluster mTLS for running workloads, so meshctl stops here and writes nothing. " +
        `Supply the root the clusters hold: ${supplyHow(o.location)}; or switch to trust.provided with the root certificate and each cluster's intermediate files. ` +
        'To replace the root on purpose, run plan and apply with --new-root (cross-cluster mTLS then fails until istiod and every workload run with the new root).',
      { path: 'trust', hint: 'docs/trust.md, "The root is never swapped silently".' },
    ),
  ];
}

function supplyHow(location: TrustLocation): string {
  const copy = `copy the trust directory from where the mesh was first applied to ${location.directory} (root-cert.pem, root-key.pem and one directory per cluster)`;
  if (location.kind === 'secret') return `${copy}, and apply copies it into that Secret (never over material already there)`;
  return `${copy}; or keep generated material in a Secret beside a Kubernetes state (state.kubernetes in mesh.yaml), so every runner reads the same root`;
}

/** "cluster1 and cluster2 hold Secret istio-system/cacerts chained to root SHA256:…; …", or undefined when nothing holds a root. */
function describeHeld(o: Pick<CheckRootKeptOptions, 'live' | 'recorded'>): string | undefined {
  const live = new Map<string, string[]>();
  for (const [cluster, data] of [...o.live].sort(([a], [b]) => a.localeCompare(b))) {
    const root = liveRootOf(cacertsCertificates(data));
    const label = root === undefined ? 'with no readable root certificate' : `chained to root ${fingerprint(root)}`;
    live.set(label, [...(live.get(label) ?? []), cluster]);
  }
  const recorded = new Map<string, string[]>();
  for (const [cluster, root] of [...o.recorded].sort(([a], [b]) => a.localeCompare(b))) {
    if (o.live.has(cluster)) continue;
    const label = root === undefined ? '' : ` with root ${root}`;
    recorded.set(label, [...(recorded.get(label) ?? []), cluster]);
  }
  const secret = `${CACERTS_SECRET.namespace}/${CACERTS_SECRET.name}`;
  const parts = [
    ...[...live].map(([label, clusters]) => `${list(clusters)} ${clusters.length === 1 ? 'holds' : 'hold'} Secret ${secret} ${label}`),
    ...[...recorded].map(([label, clusters]) => `the state records the cacerts meshctl applied to ${list(clusters)}${label}`),
  ];
  return parts.length ? parts.join('; ') : undefined;
}

const list = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)!}`);

/** A state object record, as much of it as this needs (src/state's ObjectRecord). */
export interface RecordedObject {
  readonly cluster: string;
  readonly ref: { readonly kind: string; readonly namespace?: string; readonly name: string };
  /** What meshctl sent; Secret data as digest markers, certificates with their fingerprint. */
  readonly applied?: unknown;
}

/** The clusters whose cacerts the state records, each with the root fingerprint it recorded (when it did). */
export function recordedCacertsRoots(records: Iterable<RecordedObject>): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const r of records) {
    if (r.ref.kind !== 'Secret' || r.ref.namespace !== CACERTS_SECRET.namespace || r.ref.name !== CACERTS_SECRET.name) continue;
    const marker = (r.applied as { data?: Record<string, { display?: unknown } | undefined> } | undefined)?.data?.['root-cert.pem'];
    const display = typeof marker?.display === 'string' ? marker.display.replace(/^certificate /, '') : undefined;
    out.set(r.cluster, display);
  }
  return out;
}
