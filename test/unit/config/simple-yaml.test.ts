// The fast path's contract (src/config/simple-yaml.ts): whenever it returns a value, yaml reads
// the same text to a deep-equal value with no errors and no warnings. And it must actually be
// taken for the files people write, or it is dead weight.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { generateMesh } from '../../../bench/topology.js';
import { parseSimpleYaml } from '../../../src/config/simple-yaml.js';
import { meshText } from './mesh-builder.js';

/** What the slow path yields: the value, or undefined when yaml reports anything at all. */
function yamlValue(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 50 });
  } catch {
    return undefined; // an alias bomb
  }
}

function expectAgreement(text: string): boolean {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return false;
  const slow = yamlValue(text);
  expect(slow, `yaml rejects what the fast path accepted:\n${text}`).not.toBeUndefined();
  expect(fast, text).toStrictEqual(slow);
  return true;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpusDir = `${root}test/unit/config/corpus/`;
const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const examples = readdirSync(`${root}examples/`, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('parseSimpleYaml on real files', () => {
  it.each(examples)('reads examples/%s/mesh.yaml on the fast path, to what yaml reads', (name) => {
    expect(expectAgreement(readFileSync(`${root}examples/${name}/mesh.yaml`, 'utf8'))).toBe(true);
  });

  it('reads generated meshes of 2 to 100 clusters and the test builder mesh on the fast path', () => {
    for (const n of [2, 4, 8, 16, 100]) expect(expectAgreement(generateMesh(n))).toBe(true);
    expect(expectAgreement(meshText())).toBe(true);
  });

  it('agrees with yaml on every corpus input it accepts, and leaves every input yaml rejects to yaml', () => {
    let accepted = 0;
    for (const f of corpus) {
      const text = readFileSync(corpusDir + f, 'utf8');
      if (expectAgreement(text)) accepted++;
      else if (yamlValue(text) === undefined) expect(parseSimpleYaml(text), f).toBeUndefined();
    }
    // Most of the corpus is schema and semantic mistakes written in plain YAML.
    expect(accepted).toBeGreaterThan(corpus.length / 2);
  });
});

describe('parseSimpleYaml on the edges of the subset', () => {
  const accepted: Array<[string, unknown]> = [
    ['a:\n- x\n- y\n', { a: ['x', 'y'] }],
    ['a:\n  - x\n  -\n  - {k: v}\n', { a: ['x', null, { k: 'v' }] }],
    ['l:\n  - n: 1\n    m:\n    - 2\n  - n: 3\n', { l: [{ n: 1, m: [2] }, { n: 3 }] }],
    ["q: 'it''s'\nd: \"a # b\" # c\n", { q: "it's", d: 'a # b' }],
    ['u: http://10.0.0.1:6443 # api\n', { u: 'http://10.0.0.1:6443' }],
    ['"a.b/c": x\nk: [a, "b, c", [d], {e: f}]\n', { 'a.b/c': 'x', k: ['a', 'b, c', ['d'], { e: 'f' }] }],
    ['n: ~\nt: True\nf: FALSE\ne:\ns: 1.31.0\nv: 10Gi\n', { n: null, t: true, f: false, e: null, s: '1.31.0', v: '10Gi' }],
    ['  indented: top\n  level: 2\n', { indented: 'top', level: 2 }],
    ['# only\nk: v # trailing\n\n   # indented comment\nj: {}\nm: []\n', { k: 'v', j: {}, m: [] }],
  ];
  it.each(accepted)('reads %j like yaml', (text, value) => {
    expect(parseSimpleYaml(text)).toStrictEqual(value);
    expect(yamlValue(text)).toStrictEqual(value);
  });

  const leftToYaml = [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    'a: "esc\\n"\n',
    'a: multi\n  line\n',
    'a: [1,\n  2]\n',
    'a: 1\na: 2\n',
    'a:\tb\n',
    'a: 1\r\n',
    'a: é\n',
    '---\na: 1\n',
    'a: 1\n---\nb: 2\n',
    '%YAML 1.2\n---\na: 1\n',
    '? a\n: b\n',
    'a: 0x1F\nb: 1e3\nc: .5\nd: 010\ne: -1\nf: .inf\n',
    'true: x\n',
    '1: x\n',
    '__proto__: x\n',
    '- a\n- b\n',
    'just a scalar\n',
    '',
    '# nothing\n',
    'a: b: c\n',
    'a: b:\n',
    'a:b\n',
    'a: [x, ]\n',
    'a: {k: }\n',
    'a: @x\n',
    'b: -x\n',
    'a:\n  b: 1\n c: 2\n',
    'a:\n    b: 1\n  c: 2\n',
  ];
  it.each(leftToYaml)('leaves %j to yaml', (text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });
});

// Random documents inside (and, mutated, just outside) the subset.
type Tree = string | Tree[] | { [k: string]: Tree };

const word = fc.constantFrom('a', 'cluster1', 'network-2', 'x.y/z', 'primary', 'LoadBalancer', 'k8s.io/name', '_u');
// Weighted so that most documents stay inside the subset: the scalars yaml reads as numbers
// other than small integers, escapes and non-string keys send a document to yaml.
const scalarText = fc.oneof(
  { arbitrary: word, weight: 8 },
  { arbitrary: fc.constantFrom('null', 'Null', '~', 'true', 'False', 'TRUE', '0', '7', '6443', '1.31.0', '10Gi', 'y', 'no'), weight: 4 },
  { arbitrary: fc.constantFrom('a b', 'a:b', 'http://h:1/p', 'a, b', '(x)', 'a=b', '+x', 'a - b', 'a~b'), weight: 4 },
  { arbitrary: fc.constantFrom('"quoted"', '"a # b"', '"a, b"', "'single'", "'it''s'", '""', "''", '"a: b"', '"[x]"'), weight: 4 },
  { arbitrary: fc.constantFrom('1e3', '.5', '-1', '010', '0x1F', '"\\t"'), weight: 1 },
);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof({ arbitrary: word, weight: 10 }, { arbitrary: fc.constantFrom('"q k"', "'s'", 'true', '1'), weight: 1 }), tie('node'), { maxKeys: 4 }),
  ),
})).node;

interface Style {
  readonly step: number;
  readonly seqSameIndent: boolean;
  readonly flowLeaves: boolean;
  readonly comments: boolean;
}

function render(t: { [k: string]: Tree }, style: Style): string {
  const out: string[] = [];
  const comment = (s: string): string => (style.comments ? `${s} # note` : s);
  const flow = (v: Tree): string | undefined => {
    // A plain scalar with a comma or colon means something else inside brackets; a writer
    // would quote it, this renderer writes it in block style.
    if (typeof v === 'string') return /^["']/.test(v) || !/[,:]/.test(v) ? v : undefined;
    if (!style.flowLeaves) return undefined;
    if (Array.isArray(v)) {
      const parts = v.map(flow);
      return parts.every((p) => p !== undefined) ? `[${parts.join(', ')}]` : undefined;
    }
    const parts = Object.entries(v).map(([k, x]) => [k, flow(x)] as const);
    return parts.every(([, p]) => p !== undefined) ? `{${parts.map(([k, p]) => `${k}: ${p}`).join(', ')}}` : undefined;
  };
  const block = (v: Tree, indent: number, lead: string): void => {
    // `lead` is what precedes the value on its line: "key:" or "-".
    const pad = ' '.repeat(indent);
    const inline = (typeof v === 'string' ? v : flow(v)) ?? (Array.isArray(v) && v.length === 0 ? '[]' : !Array.isArray(v) && typeof v !== 'string' && Object.keys(v).length === 0 ? '{}' : undefined);
    if (inline !== undefined) {
      out.push(comment(`${pad}${lead} ${inline}`));
      return;
    }
    out.push(style.comments ? `${pad}${lead} # block` : `${pad}${lead}`);
    const inner = Array.isArray(v) && style.seqSameIndent && lead !== '-' ? indent : indent + style.step;
    if (Array.isArray(v)) for (const item of v) block(item, inner, '-');
    else for (const [k, x] of Object.entries(v as Record<string, Tree>)) block(x, inner, `${k}:`);
  };
  for (const [k, v] of Object.entries(t)) block(v, 0, `${k}:`);
  if (style.comments) out.splice(out.length >> 1, 0, '', '  # between');
  return `${out.join('\n')}\n`;
}

const style = fc.record({ step: fc.constantFrom(2, 4), seqSameIndent: fc.boolean(), flowLeaves: fc.boolean(), comments: fc.boolean() });
const topMapping = fc.dictionary(word, tree, { minKeys: 1, maxKeys: 5 });

describe('parseSimpleYaml on random documents', () => {
  it('reads most generated documents and always to what yaml reads', () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(topMapping, style, (doc, s) => {
        runs++;
        if (expectAgreement(render(doc, s))) accepted++;
        if (process.env.DBG && runs === 1500) console.log('accepted', accepted);
      }),
      { numRuns: 1500 },
    );
    // Rejections come from the scalars the fast path leaves to yaml (1e3, 010, escapes, …).
    expect(accepted).toBeGreaterThan(runs / 2);
  });

  it('never accepts a mutated document that yaml reads differently or rejects', () => {
    const junk = fc.constantFrom(' ', '  ', '\n', '-', '- ', ':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '&a', '*a', '!', '|', '>', '?', 'x', '0');
    fc.assert(
      fc.property(topMapping, style, fc.array(fc.tuple(fc.nat(), junk, fc.boolean()), { minLength: 1, maxLength: 3 }), (doc, s, edits) => {
        let text = render(doc, s);
        for (const [at, piece, replace] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + piece + text.slice(replace ? i + 1 : i);
        }
        expectAgreement(text);
      }),
      { numRuns: 3000 },
    );
  });
});
