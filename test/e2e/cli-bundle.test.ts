// Users run the esbuild bundle (dist/bundle/, via bin/meshctl.js); the unit tests run src/.
// The bundle swaps two modules for start-up speed (scripts/bundle.mjs: yaml's ESM build for its
// CommonJS one, a lazy string-width), so here the bundled CLI must print, byte for byte, what
// src/ computes for every bad input of the corpus and every example.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/config/load.js';
import { renderDiagnostics } from '../../src/views/diagnostics.js';
import { describeMesh } from '../../src/cli/validate.js';
import { meshctl } from './support/meshctl.js';

const root = resolve(import.meta.dirname, '../..');
const corpusDir = join(root, 'test/unit/config/corpus');
const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join('examples', d.name, 'mesh.yaml'));

describe('the bundled CLI validates exactly as src/ does', () => {
  it('covers the corpus and the examples', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  it.each(corpus)('corpus %s', async (name) => {
    const want = loadTopology(name, { cwd: corpusDir });
    const r = await meshctl(['validate', '--no-color', '-f', name], { cwd: corpusDir });
    expect(r.stderr).toBe(renderDiagnostics(want.diagnostics, { color: false, sources: want.sources }));
    expect(r.code).toBe(want.topology ? 0 : 1);
  });

  it.each(examples)('%s', async (file) => {
    const want = loadTopology(file, { cwd: root });
    expect(want.topology).toBeDefined();
    const r = await meshctl(['validate', '--no-color', '-f', file], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file} is valid: ${describeMesh(want.topology!)}.\n`);
    expect(r.stderr).toBe(want.diagnostics.length ? renderDiagnostics(want.diagnostics, { color: false, sources: want.sources }) : '');
  });
});
