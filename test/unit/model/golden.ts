// Golden files for the model tests. Two kinds live in golden/:
// - sample goldens, written by hand from Istio's samples and the guide (each says where it
//   came from in its header); never regenerated;
// - desired-*.yaml, the whole Desired of a model, regenerated with UPDATE_GOLDEN=1 and then
//   reviewed against the sample goldens (the review is what makes them worth keeping).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { expect } from 'vitest';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));

export function goldenText(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

/** Every YAML document of a golden file, parsed (comments dropped). */
export function goldenDocs(name: string): unknown[] {
  return parseAllDocuments(goldenText(name))
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null);
}

export function goldenDoc(name: string): unknown {
  const docs = goldenDocs(name);
  expect(docs, `${name} should hold one document`).toHaveLength(1);
  return docs[0];
}

/** Compares `value` with a regenerable golden; UPDATE_GOLDEN=1 rewrites it instead. */
export function expectGolden(name: string, header: string, value: unknown): void {
  const text = `${header
    .trim()
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n${stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(dir + name, text);
  }
  expect(JSON.parse(JSON.stringify(value))).toEqual(goldenDoc(name));
}
