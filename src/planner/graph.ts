// A small, generic dependency graph: knows nothing about Istio or Kubernetes. Gives a
// deterministic order, parallel "waves", and cycles reported with their whole path.

export interface GraphNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

export class CycleError extends Error {
  readonly path: readonly string[];
  constructor(path: readonly string[]) {
    super(`dependency cycle: ${path.join(' -> ')}`);
    this.name = 'CycleError';
    this.path = path;
  }
}

/**
 * Groups nodes into waves: every node's dependencies are in earlier waves. Within a wave,
 * ids keep the input order, so output is stable. Dependencies on ids not in the graph are
 * ignored (they were satisfied earlier or belong to another plan).
 */
export function waves(nodes: readonly GraphNode[]): string[][] {
  const ids = new Set(nodes.map((n) => n.id));
  const level = new Map<string, number>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const visiting: string[] = [];
  const visit = (id: string): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    const at = visiting.indexOf(id);
    if (at >= 0) throw new CycleError([...visiting.slice(at), id]);
    visiting.push(id);
    let l = 0;
    for (const d of byId.get(id)!.dependsOn) {
      if (ids.has(d)) l = Math.max(l, visit(d) + 1);
    }
    visiting.pop();
    level.set(id, l);
    return l;
  };
  const out: string[][] = [];
  for (const n of nodes) {
    const l = visit(n.id);
    (out[l] ??= []).push(n.id);
  }
  // Preserve input order inside each wave regardless of visit order.
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  return out.map((w) => w.sort((a, b) => order.get(a)! - order.get(b)!));
}

/** Nodes in an order where dependencies come first (waves flattened). */
export function topoOrder(nodes: readonly GraphNode[]): string[] {
  return waves(nodes).flat();
}

/** Everything that (transitively) depends on `id`. */
export function dependantsOf(nodes: readonly GraphNode[], id: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (out.has(n.id)) continue;
      if (n.dependsOn.some((d) => d === id || out.has(d))) {
        out.add(n.id);
        grew = true;
      }
    }
  }
  return out;
}
