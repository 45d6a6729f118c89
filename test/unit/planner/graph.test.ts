// The generic graph: waves, topological order, dependants, and cycles with their whole path
// (kapp's change_graph_test asserts the exact cycle string; so does this).
import { describe, expect, it } from 'vitest';
import { CycleError, dependantsOf, topoOrder, waves, walkGraph } from '../../../src/planner/graph.js';

const node = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });

describe('graph', () => {
  it('groups independent nodes into one wave, keeping input order inside a wave', () => {
    const nodes = [node('c2/namespace'), node('c1/control-plane', 'c1/namespace'), node('c1/namespace'), node('c2/remote-secret', 'c1/control-plane', 'c2/namespace')];
    expect(waves(nodes)).toEqual([['c2/namespace', 'c1/namespace'], ['c1/control-plane'], ['c2/remote-secret']]);
    expect(topoOrder(nodes)).toEqual(['c2/namespace', 'c1/namespace', 'c1/control-plane', 'c2/remote-secret']);
  });

  it('ignores dependencies on nodes outside the graph', () => {
    expect(waves([node('a', 'gone'), node('b', 'a')])).toEqual([['a'], ['b']]);
  });

  it('finds everything that depends on a node, transitively', () => {
    const nodes = [node('a'), node('b', 'a'), node('c', 'b'), node('d'), node('e', 'd', 'c')];
    expect([...dependantsOf(nodes, 'a')].sort()).toEqual(['b', 'c', 'e']);
    expect([...dependantsOf(nodes, 'e')]).toEqual([]);
  });

  it.each([
    ['a self-dependency', [node('a', 'a')], 'dependency cycle: a -> a'],
    ['a two-node cycle', [node('a', 'b'), node('b', 'a')], 'dependency cycle: a -> b -> a'],
    ['a cycle behind a healthy prefix', [node('x'), node('y', 'x', 'p'), node('p', 'q'), node('q', 'r'), node('r', 'p')], 'dependency cycle: p -> q -> r -> p'],
  ])('reports %s with its whole path', (_name, nodes, message) => {
    expect(() => waves(nodes)).toThrow(CycleError);
    expect(() => waves(nodes)).toThrow(message);
  });
});

describe('walkGraph', () => {
  it('runs a node only after its dependencies, independent nodes side by side up to the limit', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const nodes = [node('a'), node('b'), node('c'), node('d', 'a', 'b')];
    const outcome = await walkGraph({
      nodes,
      parallelism: 2,
      visit: async (n) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(n.id);
        running--;
      },
    });
    expect(most).toBe(2);
    expect(order.indexOf('d')).toBeGreaterThan(Math.max(order.indexOf('a'), order.indexOf('b')));
    expect([...outcome.values()].every((o) => o.state === 'done')).toBe(true);
  });

  it('skips what depends on a failure, naming the failed node as the cause even two levels down', async () => {
    const skipped: [string, string][] = [];
    const outcome = await walkGraph({
      nodes: [node('a'), node('b', 'a'), node('c', 'b'), node('x')],
      parallelism: 4,
      visit: async (n) => {
        if (n.id === 'a') throw new Error('boom');
      },
      onSkipped: (n, because) => skipped.push([n.id, because]),
    });
    expect(outcome.get('a')).toMatchObject({ state: 'failed' });
    expect(skipped).toEqual([
      ['b', 'a'],
      ['c', 'a'],
    ]);
    expect(outcome.get('x')).toEqual({ state: 'done' });
  });

  it('refuses a limit below 1 or not whole, instead of running nothing and reporting success', async () => {
    for (const parallelism of [0, -1, 1.5, Number.NaN]) {
      await expect(walkGraph({ nodes: [node('a')], parallelism, visit: async () => undefined })).rejects.toThrow(/parallelism must be a whole number of at least 1/);
    }
  });

  it('once stopped, starts nothing more: what runs finishes, the rest ends not started', async () => {
    let stop = false;
    const visited: string[] = [];
    const outcome = await walkGraph({
      nodes: [node('a'), node('b', 'a'), node('c', 'b'), node('x')],
      parallelism: 1,
      stopped: () => stop,
      visit: async (n) => {
        visited.push(n.id);
        if (n.id === 'a') stop = true;
      },
    });
    expect(visited).toEqual(['a']);
    expect(Object.fromEntries(outcome)).toEqual({ a: { state: 'done' }, b: { state: 'not-started' }, c: { state: 'not-started' }, x: { state: 'not-started' } });
  });

  it('throws when a node can never run (a cycle), rather than leaving it out', async () => {
    await expect(walkGraph({ nodes: [node('a', 'b'), node('b', 'a')], parallelism: 1, visit: async () => undefined })).rejects.toThrow(/a, b neither run nor skipped/);
  });
});
