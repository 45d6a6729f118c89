// Reading state text: golden round trips (Terraform's statefile/roundtrip_test.go: each
// X.in.json is read and written again and must equal X.out.json), and every refusal with
// its exact words.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseState, serializeState } from '../../../src/state/read.js';

const golden = fileURLToPath(new URL('./golden/', import.meta.url));
const cases = readdirSync(golden)
  .filter((f) => f.endsWith('.in.json'))
  .map((f) => f.slice(0, -'.in.json'.length));
const file = '/work/mesh/meshctl.state.json';

describe('state round trip', () => {
  it('has golden cases', () => {
    expect(cases.sort()).toEqual(['empty', 'guide-applied', 'interrupted']);
  });

  it.each(cases)('%s.in.json reads and writes as %s.out.json', (name) => {
    const r = parseState(readFileSync(`${golden}${name}.in.json`, 'utf8'), { file, meshID: 'mesh1' });
    expect(r.diagnostics).toEqual([]);
    expect(serializeState(r.state!)).toBe(readFileSync(`${golden}${name}.out.json`, 'utf8'));
  });

  it('reads back what it wrote unchanged', () => {
    for (const name of cases) {
      const out = readFileSync(`${golden}${name}.out.json`, 'utf8');
      expect(serializeState(parseState(out, { file, meshID: 'mesh1' }).state!)).toBe(out);
    }
  });
});

describe('state refusals', () => {
  const valid = { version: 1, meshctlVersion: '0.1.0', lineage: 'l-1', serial: 4, meshID: 'mesh1', units: [], objects: {} };
  // Strings are taken as the file's text; anything else is written as JSON first.
  const read = (v: unknown) => parseState(typeof v === 'string' ? v : JSON.stringify(v), { file, meshID: 'mesh1' });
  const only = (v: unknown) => {
    const r = read(v);
    expect(r.state).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.severity).toBe('error');
    expect(d.path).toBe(file);
    return `${d.summary}: ${d.detail}`;
  };

  it('refuses a newer format and names the meshctl that wrote it', () => {
    expect(only({ ...valid, version: 2, meshctlVersion: '0.9.0' })).toBe(
      'State file written by a newer meshctl: /work/mesh/meshctl.state.json uses state format 2, written by meshctl 0.9.0; this meshctl reads format 1 and older. Upgrade meshctl.',
    );
  });

  it("refuses another mesh's state", () => {
    expect(only({ ...valid, meshID: 'other-mesh' })).toBe(
      'State file belongs to another mesh: /work/mesh/meshctl.state.json records mesh "other-mesh", but mesh.yaml describes mesh "mesh1". Point --state at this mesh\'s state file; meshctl will not manage one mesh with another\'s state.',
    );
  });

  it('refuses text that is not JSON and points at the backup', () => {
    expect(only('{"version": 1,')).toMatch(
      /^Unusable state file: \/work\/mesh\/meshctl\.state\.json is not valid JSON \(.+\)\. Restore it from \/work\/mesh\/meshctl\.state\.json\.backup, or move it away if this mesh has never been applied\.$/,
    );
  });

  it.each(['lineage', 'serial', 'meshID', 'units', 'objects'])('refuses a state without %s as damaged', (field) => {
    const { [field as keyof typeof valid]: _, ...rest } = valid;
    expect(only(rest)).toBe(
      'Unusable state file: /work/mesh/meshctl.state.json is missing lineage, serial, meshID, units or objects; it is damaged. Restore it from /work/mesh/meshctl.state.json.backup.',
    );
  });

  // Hand-edited or damaged files: each refused naming the first bad place, before any code
  // reads it (before, `units: [null]` failed later as an internal error).
  const unit = { id: 'cluster1/namespace', cluster: 'cluster1', kind: 'namespace', dependsOn: [], status: 'applied', outputs: {} };
  const object = { unit: 'cluster1/namespace', cluster: 'cluster1', ref: { apiVersion: 'v1', kind: 'Namespace', name: 'istio-system' }, status: 'applied', existedBefore: false };
  const damaged = (why: string) => `Unusable state file: /work/mesh/meshctl.state.json is damaged: ${why}. Restore it from /work/mesh/meshctl.state.json.backup.`;
  it.each([
    ['units: [null]', { ...valid, units: [null] }, damaged('units[0] is not a unit record (an object)')],
    [
      'a unit of an unknown kind',
      { ...valid, units: [{ ...unit, kind: 'mystery' }] },
      damaged(
        `units[0] is not a unit record (.kind: one of namespace, cacerts, crds, control-plane, revision-tags, eastwest-gateway, expose-istiod, expose-services, remote-reader, remote-secret, istiod-leftovers)`,
      ),
    ],
    ['a null object record', { ...valid, objects: { a: null } }, damaged('objects["a"] is not an object record (an object)')],
    [
      'an object record without a ref name',
      { ...valid, objects: { a: { ...object, ref: { apiVersion: 'v1', kind: 'Namespace' } } } },
      damaged('objects["a"] is not an object record (.ref: .name: a non-empty string)'),
    ],
    ['a negative serial', { ...valid, serial: -1 }, damaged('"serial" is not a whole number of at least 0')],
    ['a fractional serial', { ...valid, serial: 1.5 }, damaged('"serial" is not a whole number of at least 0')],
    ['an empty lineage', { ...valid, lineage: '' }, damaged('"lineage" is not a non-empty string')],
    ['a null cluster connection', { ...valid, clusters: { cluster1: null } }, damaged('clusters["cluster1"] is not a connection record (an object)')],
  ])('refuses %s as damaged', (_, state, words) => {
    expect(only(state)).toBe(words);
  });

  it.each([0, -3, 0.5])('refuses state format %s, which no meshctl writes', (version) => {
    expect(only({ ...valid, version })).toBe(
      `Unusable state file: /work/mesh/meshctl.state.json has state format ${version}, which no meshctl writes; it is damaged. Restore it from /work/mesh/meshctl.state.json.backup.`,
    );
  });

  it('reads a state whose records have the shape', () => {
    expect(read({ ...valid, units: [unit], objects: { 'cluster1/Namespace/_/istio-system': object }, clusters: { cluster1: { context: 'cluster1' } } }).diagnostics).toEqual([]);
  });

  it('refuses a file without a version as not written by meshctl', () => {
    const { version: _, ...rest } = valid;
    expect(only(rest)).toBe('Unusable state file: /work/mesh/meshctl.state.json has no "version" field, so it was not written by meshctl.');
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a string', '"state"'],
    ['a number', '42'],
  ])('refuses %s', (_name, v) => {
    expect(only(v)).toBe('Unusable state file: /work/mesh/meshctl.state.json does not hold a meshctl state object.');
  });
});
