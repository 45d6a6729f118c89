// Golden corpus: every corpus/NAME.yaml is a bad (or suspicious) mesh.yaml, and
// corpus/NAME.expected.txt holds exactly what `meshctl validate --no-color` prints for it.
// UPDATE_GOLDEN=1 rewrites the expected files; review the diff before committing.
import { readdirSync } from 'node:fs';
import { expectGoldenFile } from '../support/golden.js';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTopology, loadTopologyFromText } from '../../../src/config/load.js';
import { MAX_MESH_FILE_BYTES } from '../../../src/config/read.js';
import { renderDiagnostics } from '../../../src/views/diagnostics.js';
import { fakePathKind } from './fake-fs.js';

const corpusDir = fileURLToPath(new URL('./corpus/', import.meta.url));
const cases = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('corpus of bad mesh.yaml files', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s renders exactly its expected diagnostics', (name) => {
    // Read through loadTopology so byte-level problems (not UTF-8) go the real way; relative
    // paths inside resolve against the fake /mesh directory.
    const result = loadTopology(name, { cwd: corpusDir, baseDir: '/mesh', pathKind: fakePathKind });
    expect(result.diagnostics.length).toBeGreaterThan(0);
    const rendered = renderDiagnostics(result.diagnostics, { color: false, sources: result.sources });
    expectGoldenFile(corpusDir, name.replace(/\.yaml$/, '.expected.txt'), rendered);
  });

  it('every expected file has its input', () => {
    const expected = readdirSync(corpusDir).filter((f) => f.endsWith('.expected.txt'));
    for (const e of expected) expect(cases).toContain(e.replace(/\.expected\.txt$/, '.yaml'));
  });
});

describe('input size', () => {
  it('refuses input over 1 MiB with one diagnostic', () => {
    const big = `# ${'x'.repeat(MAX_MESH_FILE_BYTES)}\n`;
    const result = loadTopologyFromText(big, 'mesh.yaml');
    expect(result.topology).toBeUndefined();
    expect(renderDiagnostics(result.diagnostics, { color: false })).toBe(
      [
        'Error: File too large',
        '',
        `mesh.yaml is ${MAX_MESH_FILE_BYTES + 3} bytes; meshctl reads at most ${MAX_MESH_FILE_BYTES} bytes (1 MiB) of mesh.yaml.`,
        'Hint: Check that -f names the mesh.yaml and not another file.',
        '',
        '1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });
});
