// Rules about clusters and the links between them: who controls whom, how each is reached.
import type { Diagnostic } from '../diagnostics.js';
import { absolutePath, finding, type Rule } from './finding.js';
import { clusterEntries } from './raw.js';
import { closest } from './suggest.js';

/** Roles whose istiod can control remotes. */
const controllerRoles = new Set(['primary', 'external']);

/** A remote names its controller; primaries and externals name none; the controller exists. */
const controlPlaneLinks: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  const names = Object.keys(ctx.mesh.clusters);
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    const here = ['clusters', name];
    if (c.role !== 'remote') {
      if (c.controlPlane !== undefined) {
        out.push(
          finding(ctx, 'error', {
            path: [...here, 'controlPlane'],
            target: 'key',
            summary: 'Unexpected controlPlane',
            detail: `Cluster ${name} is a ${c.role} and runs its own istiod, so it has no controlPlane; only remotes name the cluster that controls them.`,
            hint: `Remove controlPlane, or make ${name} a remote with role: remote.`,
          }),
        );
      }
      continue;
    }
    if (c.controlPlane === undefined) {
      const primaries = clusterEntries(ctx.mesh)
        .filter(([, o]) => o.role === 'primary')
        .map(([n]) => n);
      out.push(
        finding(ctx, 'error', {
          path: here,
          target: 'key',
          summary: 'Remote without controlPlane',
          detail: `Cluster ${name} is a remote: it runs no istiod and must name the primary whose istiod controls it.`,
          hint: primaries.length > 0 ? `Add controlPlane: ${primaries[0]}` : 'Add a primary cluster and name it in controlPlane.',
        }),
      );
      continue;
    }
    const target = ctx.mesh.clusters[c.controlPlane];
    if (!target) {
      const guess = closest(c.controlPlane, names);
      out.push(
        finding(ctx, 'error', {
          path: [...here, 'controlPlane'],
          summary: 'Unknown cluster',
          detail: `Cluster ${name} names controlPlane ${c.controlPlane}, which is not a cluster in this mesh. Declared clusters: ${names.join(', ')}. ${removedPrimaryNote(ctx.mesh.clusters, c.controlPlane)}`,
          ...(guess ? { hint: `Did you mean "${guess}"?` } : {}),
        }),
      );
    } else if (!controllerRoles.has(target.role)) {
      out.push(
        finding(ctx, 'error', {
          path: [...here, 'controlPlane'],
          summary: 'controlPlane is not a primary',
          detail: `Cluster ${name} names controlPlane ${c.controlPlane}, but ${c.controlPlane} is a ${target.role} and runs no istiod that could control it.`,
          hint: `Point controlPlane at a primary cluster, or make ${c.controlPlane} a primary.`,
        }),
      );
    }
  }
  return out;
};

/**
 * A primary taken out of mesh.yaml while remotes still name it: every such remote, so the
 * user moves or removes them all at once (removing the primary would leave them without istiod).
 */
function removedPrimaryNote(clusters: Readonly<Record<string, { controlPlane?: unknown }>>, primary: string): string {
  const remotes = Object.keys(clusters).filter((n) => clusters[n]!.controlPlane === primary);
  return `If ${primary} was taken out of the mesh, the remotes it controls (${remotes.join(', ')}) must first be moved to another primary (controlPlane) or removed with it.`;
}

/** Without an istiod somewhere nothing can be installed. */
const hasControlPlane: Rule = (ctx) => {
  if (Object.values(ctx.mesh.clusters).some((c) => controllerRoles.has(c.role))) return [];
  return [
    finding(ctx, 'error', {
      path: ['clusters'],
      target: 'key',
      summary: 'No primary cluster',
      detail: 'Every cluster is a remote, so no cluster runs istiod. A mesh needs at least one primary.',
      hint: 'Set role: primary on one of the clusters.',
    }),
  ];
};

/**
 * Two cluster names for one kube context would install two Istio cluster IDs on the same API
 * server: the second install silently overwrites the first.
 */
const distinctContexts: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    const kubeconfig = c.kubeconfig === undefined ? '(default kubeconfig)' : absolutePath(ctx, c.kubeconfig);
    const key = `${kubeconfig}\u0000${c.context}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, name);
      continue;
    }
    out.push(
      finding(ctx, 'error', {
        path: ['clusters', name, 'context'],
        summary: 'Duplicate context',
        detail: `Clusters ${first} and ${name} both use context ${c.context}${c.kubeconfig ? ` in ${c.kubeconfig}` : ''}: two cluster names on one API server. Istio needs one cluster ID per cluster.`,
        hint: `Give ${name} the context of its own cluster.`,
      }),
    );
  }
  return out;
};

/**
 * istiod in another cluster reads this cluster's API server through the server URL in its
 * remote secret; a loopback address there points istiod at itself
 * (istio-multicluster.md §8 row 1, istio/istio#58047). Only explicit apiServer values can be
 * checked here; kubeconfig servers are checked when planning.
 */
const reachableApiServer: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  const controllers = Object.values(ctx.mesh.clusters).filter((c) => controllerRoles.has(c.role)).length;
  for (const [name, c] of clusterEntries(ctx.mesh)) {
    if (c.apiServer === undefined || !isLoopbackUrl(c.apiServer)) continue;
    const readByPeer = c.role === 'remote' || controllers > 1;
    if (!readByPeer) continue;
    out.push(
      finding(ctx, 'warning', {
        path: ['clusters', name, 'apiServer'],
        summary: 'Loopback API server',
        detail: `${c.apiServer} is a loopback address: istiod running in another cluster would connect to itself, not to ${name}, and ${name} would never sync (istio-multicluster.md §8, istio/istio#58047).`,
        hint: `Use an address of ${name}'s API server that other clusters can reach, e.g. its node or load-balancer IP.`,
      }),
    );
  }
  return out;
};

/** The external control-plane model fits the format, but apply cannot install it yet. */
const experimentalRoles: Rule = (ctx) =>
  clusterEntries(ctx.mesh)
    .filter(([, c]) => c.role === 'external')
    .map(([name]) =>
      finding(ctx, 'warning', {
        path: ['clusters', name, 'role'],
        summary: 'Not supported by apply yet',
        detail: `Cluster ${name} has role external (external control plane). meshctl validates this model but cannot plan or apply it yet.`,
      }),
    );

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '0.0.0.0';
}

export const clusterRules: readonly Rule[] = [controlPlaneLinks, hasControlPlane, distinctContexts, reachableApiServer, experimentalRoles];
