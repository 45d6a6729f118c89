// The generic graph: waves, topological order, dependants, and cycles with their whole path
// (kapp's change_graph_test asserts the exact cycle string; so does this).
import { describe, expect, it } from 'vitest';
import { CycleError, dependantsOf, topoOrder, waves } from '../../../src/planner/graph.js';

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
