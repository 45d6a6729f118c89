// The comparison primitives on their own: where quantities compare by value, and the JSON
// Pointers of unknown markers (escaped as RFC 6901 says).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { project, projectAndCompare, satisfies, unknownPaths } from '../../../src/planner/project.js';

const unknown = (output: string) => ({ $unknown: { unit: 'cluster1/eastwest-gateway', output } });

describe('quantities compare by value only below a resources key', () => {
  it('inside resources.requests', () => {
    expect(satisfies({ resources: { requests: { cpu: '2000m' } } }, { resources: { requests: { cpu: '2' } } })).toBe(true);
    expect(project({ resources: { limits: { memory: '1024Mi' } } }, { resources: { limits: { memory: '1Gi' } } })).toEqual({ resources: { limits: { memory: '1024Mi' } } });
  });

  it('below resources inside lists (containers[0].resources)', () => {
    const d = { containers: [{ resources: { requests: { memory: '1Gi' } } }] };
    const l = { containers: [{ resources: { requests: { memory: '1073741824' } } }] };
    expect(satisfies(d, l)).toBe(true);
  });

  it('not for the value of the resources key itself, nor elsewhere', () => {
    expect(satisfies({ resources: '1Gi' }, { resources: '1024Mi' })).toBe(false);
    expect(satisfies({ data: { size: '1Gi' } }, { data: { size: '1024Mi' } })).toBe(false);
    expect(project({ resources: '1Gi' }, { resources: '1024Mi' })).toEqual({ resources: '1024Mi' });
  });
});

describe('unknownPaths', () => {
  it('finds markers in objects and lists, escaping ~ and /', () => {
    const v = { spec: { values: { 'a/b': unknown('address'), 'x~y': [1, unknown('port')] } }, plain: 'text' };
    expect(unknownPaths(v)).toEqual(['/spec/values/a~1b', '/spec/values/x~0y/1']);
  });

  it('is the root pointer for a marker at the top, and empty without markers', () => {
    expect(unknownPaths(unknown('token'))).toEqual(['']);
    expect(unknownPaths({ a: [1, { b: null }] })).toEqual([]);
  });
});

describe('projectAndCompare', () => {
  const key = fc.constantFrom('a', 'b', 'resources', 'requests', 'cpu', 'name', 'x/y', 'with~tilde');
  const scalar = fc.oneof(fc.constantFrom('', 0, false, true, null, '1', '1000m', '2', '1Gi', '1024Mi', 'text'), fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 3 }));
  const marker = fc.oneof(fc.constant({ $unknown: { unit: 'cluster1/eastwest-gateway', output: 'address' } }), fc.constantFrom({ $sensitive: 'sha256:aa' }, { $sensitive: 'sha256:bb' }));
  const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, marker, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
  })).v;
  // Live values are often the desired one with a few changes: derive one from the other too.
  const pair = fc.oneof(
    fc.tuple(value, value),
    value.chain((d) => fc.tuple(fc.constant(d), fc.oneof(fc.constant(d), value, fc.constant(undefined)))),
  );

  it('is project() and satisfies() of that projection, for any desired and live values', () => {
    fc.assert(
      fc.property(pair, ([desired, live]) => {
        const before = project(desired, live);
        expect(projectAndCompare(desired, live)).toEqual({ before, satisfied: satisfies(desired, before) });
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on the cases the rules name', () => {
    const cases: Array<[unknown, unknown]> = [
      [{}, { extra: 1 }],
      [[], null],
      [[], [1]],
      [{ a: '' }, {}],
      [{ a: 0, b: false }, { c: 1 }],
      [{ resources: { limits: { cpu: '1' } } }, { resources: { limits: { cpu: '1000m' } } }],
      [{ resources: '1' }, { resources: '1000m' }],
      [{ a: null }, { a: { deep: true } }],
      [{ $sensitive: 'sha256:aa' }, { $sensitive: 'sha256:aa' }],
      [unknown('address'), '192.0.2.10'],
    ];
    for (const [desired, live] of cases) {
      const before = project(desired, live);
      expect(projectAndCompare(desired, live)).toEqual({ before, satisfied: satisfies(desired, before) });
    }
  });
});
