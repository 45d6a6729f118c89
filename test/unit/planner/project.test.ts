// The comparison primitives on their own: where quantities compare by value, and the JSON
// Pointers of unknown markers (escaped as RFC 6901 says).
import { describe, expect, it } from 'vitest';
import { project, satisfies, unknownPaths } from '../../../src/planner/project.js';

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
