// Whatever text arrives, the loader answers with diagnostics, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopologyFromText } from '../../../src/config/load.js';
import { fakeMeshDir } from './fake-fs.js';
import { meshText } from './mesh-builder.js';

/** Text built from YAML-ish fragments reaches deeper than uniformly random strings. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom('\n', '  ', '\t', ': ', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '---\n', '"', "'", '#', '? ', '|', '>'),
      fc.constantFrom('apiVersion', 'kind', 'clusters', 'cluster1', 'network', 'role', 'primary', 'remote', 'istio', 'version', '1.31.0', 'null', 'true', '1.30'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

/** Mutations of a valid document: one line deleted, duplicated or truncated. */
const mutatedGuide = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('delete', 'duplicate', 'truncate', 'indent')).map(([i, j, op]) => {
  const lines = meshText().split('\n');
  const at = i % lines.length;
  const line = lines[at]!;
  if (op === 'delete') lines.splice(at, 1);
  else if (op === 'duplicate') lines.splice(at, 0, line);
  else if (op === 'truncate') lines[at] = line.slice(0, j % (line.length + 1));
  else lines[at] = ` ${line}`;
  return lines.join('\n');
});

describe('loadTopologyFromText', () => {
  it('never throws and returns a topology exactly when there are no errors', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), yamlish, mutatedGuide), (text) => {
        const result = loadTopologyFromText(text, 'mesh.yaml', fakeMeshDir);
        const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
        expect(result.topology === undefined).toBe(errors > 0);
        for (const d of result.diagnostics) {
          expect(d.summary.length).toBeGreaterThan(0);
          if (d.subject) expect(d.subject.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
