// Rules about networks and the east-west gateways that join them.
import type { Diagnostic } from '../diagnostics.js';
import { finding, type Rule, type SemanticContext } from './finding.js';
import type { PathSegment } from './positions.js';
import { controlledRemotes, effectiveGateway, gatewayRequirement } from './gateway.js';
import { clusterEntries } from './raw.js';
import { closest, listWords } from './suggest.js';

/** Each cluster's network is one of the declared networks (catches typos in either place). */
const declaredNetworks: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    if (ctx.mesh.networks.includes(c.network)) continue;
    const guess = closest(c.network, ctx.mesh.networks);
    out.push(
      finding(ctx, 'error', {
        path: ['clusters', name, 'network'],
        summary: 'Undeclared network',
        detail: `Cluster ${name} is on network ${c.network}, which is not listed in networks (${ctx.mesh.networks.join(', ')}).`,
        hint: guess ? `Did you mean "${guess}"?` : `Add ${c.network} to networks.`,
      }),
    );
  }
  return out;
};

/** A declared network no cluster is on is harmless but usually a leftover or a typo. */
const usedNetworks: Rule = (ctx) => {
  const used = new Set(Object.values(ctx.mesh.clusters).map((c) => c.network));
  return ctx.mesh.networks.flatMap((network, i) =>
    used.has(network)
      ? []
      : [
          finding(ctx, 'warning', {
            path: ['networks', i],
            summary: 'Unused network',
            detail: `No cluster is on network ${network}.`,
            hint: "Remove it from networks, or check the clusters' network keys for a typo.",
          }),
        ],
  );
};

/**
 * Multi-network: traffic between networks can only enter a cluster through its east-west
 * gateway. A primary controlling remotes exposes istiod (xDS 15012, webhook 15017) to them
 * through the same gateway (istio-multicluster.md §1.0, §1.3–§1.4).
 */
const requiredGateways: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    const why = gatewayRequirement(ctx.mesh, name);
    if (why === undefined || c.eastWestGateway?.enabled !== false) continue;
    const detail =
      why === 'multi-network'
        ? `The mesh spans several networks (${listWords([...new Set(Object.values(ctx.mesh.clusters).map((o) => o.network))].sort(), 'and')}), so traffic from other networks reaches ${name} only through its east-west gateway.`
        : `Cluster ${name} is the control plane of ${listWords(controlledRemotes(ctx.mesh, name), 'and')}, which reach its istiod through its east-west gateway.`;
    out.push(
      finding(ctx, 'error', {
        path: ['clusters', name, 'eastWestGateway', 'enabled'],
        summary: 'East-west gateway required',
        detail,
        hint: 'Remove enabled: false (the default enables it).',
      }),
    );
  }
  return out;
};

/**
 * A ClusterIP gateway has no address outside its cluster, so peers cannot use it; istiod
 * then falls back to pod IPs (istio-multicluster.md §8 row 9).
 */
const reachableGateways: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  const inheriting: string[] = [];
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    if (gatewayRequirement(ctx.mesh, name) === undefined) continue;
    const gw = effectiveGateway(ctx.mesh, name);
    if (!gw.enabled || gw.serviceType !== 'ClusterIP') continue;
    if (c.eastWestGateway?.serviceType === undefined) {
      inheriting.push(name);
      continue;
    }
    out.push(clusterIpWarning(ctx, ['clusters', name, 'eastWestGateway', 'serviceType'], [name]));
  }
  // One warning for the mesh-wide setting, naming every cluster that inherits it.
  if (inheriting.length > 0) out.push(clusterIpWarning(ctx, ['eastWestGateway', 'serviceType'], inheriting));
  return out;
};

function clusterIpWarning(ctx: SemanticContext, path: PathSegment[], clusters: string[]): Diagnostic {
  const whose = listWords(clusters, 'and');
  return finding(ctx, 'warning', {
    path,
    summary: 'Unreachable east-west gateway',
    detail: `The east-west gateway of ${whose} would be a ClusterIP Service, which other clusters cannot reach; cross-cluster traffic would fail.`,
    hint: 'Use LoadBalancer (on kind, with MetalLB), or NodePort with addresses you route yourself.',
  });
}

export const networkRules: readonly Rule[] = [declaredNetworks, usedNetworks, requiredGateways, reachableGateways];
