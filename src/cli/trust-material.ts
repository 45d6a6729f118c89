// cacerts material for plan and apply. Plan only reads what exists (it never creates keys,
// and shows missing material as "known after apply"); apply creates what is missing
// (generated mode) through ensureTrust.
import type { Topology } from '../config/topology.js';
import type { Diagnostic } from '../diagnostics.js';
import { cacertsData } from '../trust/cacerts.js';
import { ensureTrust, readTrust as readTrustFiles } from '../trust/ensure.js';
import type { ClusterCaMaterial } from '../trust/material.js';

export interface TrustMaterial {
  /** base64 Secret data per cluster, for clusters whose material exists. */
  readonly data: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly diagnostics: readonly Diagnostic[];
}

function asData(material: ReadonlyMap<string, ClusterCaMaterial>): Map<string, Record<string, string>> {
  return new Map([...material].map(([c, m]) => [c, cacertsData(m)]));
}

const clustersOf = (t: Topology) => t.clusters.map((c) => c.name);

export async function readTrust(t: Topology, now: Date): Promise<TrustMaterial> {
  const r = await readTrustFiles({ settings: t.trust, clusters: clustersOf(t), now });
  return { data: asData(r.material), diagnostics: r.diagnostics };
}

export async function makeTrust(t: Topology, now: Date): Promise<TrustMaterial> {
  const r = await ensureTrust({ settings: t.trust, clusters: clustersOf(t), now });
  return { data: asData(r.material), diagnostics: r.diagnostics };
}
