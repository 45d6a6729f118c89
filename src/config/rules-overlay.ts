// The istioOperator escape hatch may tune anything except what meshctl derives from the
// topology: overriding those would make the cluster disagree with the rest of the mesh (a
// cluster ID that no remote secret names, a network no gateway serves, istio-multicluster.md
// §1.0 invariants), so each is refused at the key that sets it.
import type { Diagnostic } from '../diagnostics.js';
import { finding, type Rule } from './finding.js';
import { clusterEntries } from './raw.js';

interface OwnedKey {
  /** Path inside the istioOperator mapping. */
  readonly path: readonly string[];
  /** Where the user sets it instead, or how meshctl derives it. */
  readonly instead: string;
  /** Why it is refused, when not that every cluster must agree on it. */
  readonly why?: string;
}

// istioctl would render istiod (or its webhooks' Service) outside istio-system, where meshctl's
// namespace unit, waits, remote secrets and verify do not look (issue 19: an overlay put istiod
// into kube-system).
const placed = 'where its namespace unit, waits, remote secrets and verify look for istiod';
const namespaceKeys: readonly OwnedKey[] = [
  { path: ['values', 'global', 'istioNamespace'], instead: 'meshctl installs into istio-system', why: placed },
  ...['base', 'pilot', 'cni', 'ztunnel', 'istiodRemote'].map((c) => ({ path: ['components', c, 'namespace'], instead: 'meshctl installs into istio-system', why: placed })),
];

const ownedKeys: readonly OwnedKey[] = [
  { path: ['values', 'global', 'meshID'], instead: 'it comes from meshID' },
  { path: ['values', 'global', 'multiCluster', 'clusterName'], instead: "it is the cluster's name under clusters" },
  { path: ['values', 'global', 'network'], instead: "it comes from the cluster's network" },
  { path: ['values', 'global', 'remotePilotAddress'], instead: "meshctl sets it to the controlling primary's east-west gateway address" },
  { path: ['values', 'global', 'externalIstiod'], instead: 'meshctl sets it on primaries that control remotes' },
  { path: ['values', 'pilot', 'env', 'EXTERNAL_ISTIOD'], instead: 'meshctl sets it on primaries that control remotes' },
  { path: ['values', 'istiodRemote', 'injectionPath'], instead: 'meshctl derives it from the cluster name and network' },
  { path: ['values', 'istiodRemote', 'injectionURL'], instead: 'meshctl derives the injection path from the cluster name and network' },
  { path: ['profile'], instead: "it follows the cluster's role" },
  { path: ['revision'], instead: 'set istio.revision' },
  { path: ['hub'], instead: 'set istio.hub' },
  { path: ['tag'], instead: 'set istio.tag' },
  { path: ['namespace'], instead: 'meshctl installs into istio-system' },
  { path: ['values', 'revision'], instead: 'set istio.revision' },
  { path: ['values', 'global', 'hub'], instead: 'set istio.hub' },
  { path: ['values', 'global', 'tag'], instead: 'set istio.tag' },
  ...namespaceKeys,
];

// istioctl merges unvalidatedValues into values: the same keys are owned there.
const everyOwnedKey: readonly OwnedKey[] = ownedKeys.flatMap((k) => (k.path[0] === 'values' ? [k, { ...k, path: ['unvalidatedValues', ...k.path.slice(1)] }] : [k]));

const ownedOverlayKeys: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    if (!c.istioOperator) continue;
    for (const owned of everyOwnedKey) {
      if (!hasPath(c.istioOperator, owned.path)) continue;
      out.push(
        finding(ctx, 'error', {
          path: ['clusters', name, 'istioOperator', ...owned.path],
          target: 'key',
          summary: 'Key owned by meshctl',
          detail: `istioOperator must not set ${owned.path.join('.')}: ${owned.instead}, ${owned.why ?? 'so every cluster of the mesh agrees on it'}.`,
          hint: `Remove ${owned.path.join('.')} from clusters.${name}.istioOperator.`,
        }),
      );
    }
  }
  return out;
};

function hasPath(obj: unknown, path: readonly string[]): boolean {
  let cur = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return true;
}

export const overlayRules: readonly Rule[] = [ownedOverlayKeys];
