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

export type WalkOutcome =
  | { readonly state: 'done' }
  | { readonly state: 'failed'; readonly error: unknown }
  /** `because`: the failed node it ultimately waited on, the one cause worth naming. */
  | { readonly state: 'skipped'; readonly because: string }
  /** The walk was stopped (WalkOptions.stopped) before this node could start. */
  | { readonly state: 'not-started' };

export interface WalkOptions<N extends GraphNode> {
  readonly nodes: readonly N[];
  /** How many visits may run at once (a whole number, at least 1). */
  readonly parallelism: number;
  readonly visit: (node: N) => Promise<void>;
  readonly onFailed?: (node: N, error: unknown) => void;
  readonly onSkipped?: (node: N, because: string) => void;
  /** Once true, no further node starts; those still waiting end as not-started. */
  readonly stopped?: () => boolean;
}

/**
 * Visits each node once all its dependencies are done (Terraform's dag.Walker): independent
 * nodes run in parallel, up to `parallelism`; dependants of a failed node are skipped and
 * name its root cause. Returns every node's outcome; a node that could not end (a cycle) is a
 * bug and throws rather than being left out silently.
 */
export async function walkGraph<N extends GraphNode>(o: WalkOptions<N>): Promise<Map<string, WalkOutcome>> {
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1) throw new Error(`parallelism must be a whole number of at least 1, got ${o.parallelism}: this is a bug in meshctl`);
  const ids = new Set(o.nodes.map((n) => n.id));
  const outcome = new Map<string, WalkOutcome>();
  const started = new Set<string>();
  const running = new Set<Promise<void>>();
  const endedBadly = (d: string) => {
    const x = outcome.get(d);
    return x?.state === 'failed' ? d : x?.state === 'skipped' ? x.because : undefined;
  };
  for (;;) {
    let progressed = false;
    for (const n of o.nodes) {
      if (started.has(n.id)) continue;
      if (o.stopped?.()) break;
      const deps = n.dependsOn.filter((d) => ids.has(d));
      const because = deps.map(endedBadly).find((c) => c !== undefined);
      if (because !== undefined) {
        started.add(n.id);
        outcome.set(n.id, { state: 'skipped', because });
        o.onSkipped?.(n, because);
        progressed = true;
        continue;
      }
      if (running.size >= o.parallelism || !deps.every((d) => outcome.get(d)?.state === 'done')) continue;
      started.add(n.id);
      progressed = true;
      const p: Promise<void> = o
        .visit(n)
        .then(
          () => void outcome.set(n.id, { state: 'done' }),
          (error: unknown) => {
            outcome.set(n.id, { state: 'failed', error });
            o.onFailed?.(n, error);
          },
        )
        .finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size === 0 && !progressed) break;
    if (!progressed || running.size >= o.parallelism) await Promise.race(running);
  }
  if (o.stopped?.()) for (const n of o.nodes) if (!outcome.has(n.id)) outcome.set(n.id, { state: 'not-started' });
  const stuck = o.nodes.filter((n) => !outcome.has(n.id)).map((n) => n.id);
  if (stuck.length) throw new Error(`walk ended with ${stuck.join(', ')} neither run nor skipped (a dependency cycle?): this is a bug in meshctl`);
  return outcome;
}
