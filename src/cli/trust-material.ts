// cacerts material for plan and apply. Plan only reads what exists (it never creates keys);
// apply creates what is missing (generated mode) through ensureTrust.
import type { Topology } from '../config/topology.js';
import type { Diagnostic } from '../diagnostics.js';
import { cacertsData } from '../trust/cacerts.js';
import { checkTrust } from '../trust/check.js';
import { ensureTrust } from '../trust/ensure.js';
import type { ClusterCaMaterial } from '../trust/material.js';
import { readClusterDir, trustLayout } from '../trust/store.js';

export interface TrustMaterial {
  /** base64 Secret data per cluster, for clusters whose material exists. */
  readonly data: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly diagnostics: readonly Diagnostic[];
}

function asData(material: ReadonlyMap<string, ClusterCaMaterial>): Map<string, Record<string, string>> {
  return new Map([...material].map(([c, m]) => [c, cacertsData(m)]));
}

export async function readTrust(t: Topology, now: Date): Promise<TrustMaterial> {
  const clusters = t.clusters.map((c) => c.name);
  if (t.trust.mode === 'generated') {
    const layout = trustLayout(t.trust.directory);
    const material = new Map<string, ClusterCaMaterial>();
    for (const c of clusters) {
      const s = await readClusterDir(layout, c).catch(() => ({ state: 'absent' as const }));
      if (s.state === 'complete') material.set(c, s.material);
    }
    return { data: asData(material), diagnostics: checkTrust({ material, now }) };
  }
  const r = await ensureTrust({ settings: t.trust, clusters, now });
  return { data: asData(r.material), diagnostics: r.diagnostics };
}

export async function makeTrust(t: Topology, now: Date): Promise<TrustMaterial> {
  const r = await ensureTrust({ settings: t.trust, clusters: t.clusters.map((c) => c.name), now });
  return { data: asData(r.material), diagnostics: r.diagnostics };
}
