// A fast path for the YAML that mesh.yaml files are actually written in: block mappings and
// sequences, one-line flow collections, plain and simply quoted scalars, comments.
//
// Why: `meshctl validate` and every plan start by parsing mesh.yaml, and the yaml package
// builds a concrete syntax tree, a document of nodes and then plain data, in code that runs
// cold in every process (the cost: docs/architecture.md, "How the CLI is built and started").
// This reads the same text line by line into the same plain data, far faster.
//
// The contract is one-sided: whenever the text uses anything outside the subset, or anything
// this reader is not sure yaml would read the same way without an error or warning (anchors,
// tags, block scalars, escapes, multi-line scalars, numbers other than small decimal integers,
// duplicate keys, tabs, non-ASCII, odd indentation), it returns undefined and the caller
// parses with yaml. It never decides that a document is invalid. When it returns a value,
// yaml's `parseDocument(text).toJS()` returns a deep-equal value with no errors or warnings;
// test/unit/config/simple-yaml.test.ts holds it to that on the corpus, the examples and random
// documents.

interface Line {
  /** Column of the first character of `text`. */
  indent: number;
  /** The line from `indent` on, trailing spaces removed. */
  text: string;
}

class NotSimple extends Error {}
const notSimple = new NotSimple();

function bail(): never {
  throw notSimple;
}

/** The document as plain data, or undefined when yaml must read it. */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  // Tabs, CR, BOM, control and non-ASCII characters: all legal in places, none worth the risk.
  if (/[^\x20-\x7e\n]/.test(text)) return undefined;
  const lines = significantLines(text);
  if (lines === undefined || lines.length === 0) return undefined;
  try {
    const reader = new Reader(lines);
    const first = lines[0]!;
    if (isSeqItem(first.text)) return undefined;
    const value = reader.mapping(first.indent);
    return reader.done() ? value : undefined;
  } catch (e) {
    if (e === notSimple) return undefined;
    throw e;
  }
}

function significantLines(text: string): Line[] | undefined {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    // Directives and document markers.
    if (raw.startsWith('%') || raw.startsWith('---') || raw.startsWith('...')) return undefined;
    // yaml refuses implicit keys of 1024 characters or more; nothing legitimate is that long.
    if (raw.length > 1000) return undefined;
    const body = raw.trimEnd();
    let indent = 0;
    while (body.charCodeAt(indent) === 32) indent++;
    if (indent === body.length || body.charCodeAt(indent) === 35 /* # */) continue;
    out.push({ indent, text: body.slice(indent) });
  }
  return out;
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  done(): boolean {
    return this.i === this.lines.length;
  }

  /** A block mapping whose keys start at column `indent`. */
  mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent || isSeqItem(line.text)) bail();
      const entry = mappingKey(line.text, 0);
      if (entry === undefined) bail();
      const { key, next } = entry;
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) bail();
      out[key] = this.valueAfter(line, next, indent, true);
    }
    return out;
  }

  /** A block sequence whose dashes are at column `indent`. */
  sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent) bail();
      // A key at the dashes' column ends a sequence that is a mapping value written at its
      // key's column; anywhere else the caller finds the line out of place.
      if (!isSeqItem(line.text)) break;
      let at = 1;
      while (line.text.charCodeAt(at) === 32) at++;
      if (line.text.startsWith('- ', at) || (line.text.length - at === 1 && line.text.endsWith('-'))) bail();
      if (at < line.text.length && line.text.charCodeAt(at) !== 35 && mappingKey(line.text, at) !== undefined) {
        // `- key: value` starts a mapping whose keys are at the column of `key`: read it by
        // narrowing this line to that column.
        this.lines[this.i] = { indent: line.indent + at, text: line.text.slice(at) };
        out.push(this.mapping(line.indent + at));
        continue;
      }
      out.push(this.valueAfter(line, at, indent, false));
    }
    return out;
  }

  /**
   * The value of the entry on `line` whose value text starts at `at`: inline on the line, or a
   * block on the lines after it (or null when there is neither).
   */
  private valueAfter(line: Line, at: number, indent: number, inMapping: boolean): unknown {
    this.i++;
    const rest = line.text.slice(at).trimStart();
    if (rest !== '' && !rest.startsWith('#')) {
      const value = inlineValue(rest);
      // A deeper line after an inline value is a continuation or an error: yaml decides.
      if (this.i < this.lines.length && this.lines[this.i]!.indent > indent) bail();
      return value;
    }
    const next = this.lines[this.i];
    if (next === undefined || next.indent < indent) return null;
    if (next.indent === indent) {
      // A mapping's value may be a sequence whose dashes sit at the key's own column.
      return inMapping && isSeqItem(next.text) ? this.sequence(indent) : null;
    }
    return isSeqItem(next.text) ? this.sequence(next.indent) : this.mapping(next.indent);
  }
}

/**
 * A mapping key at `at` followed by `:` and a space or the end of the line; the offset after
 * the colon. Undefined when the text there is not a simple key.
 */
function mappingKey(text: string, at: number): { key: string; next: number } | undefined {
  const c = text.charCodeAt(at);
  let key: string;
  let end: number;
  if (c === 34 /* " */ || c === 39 /* ' */) {
    const q = quoted(text, at);
    if (q === undefined) return undefined;
    key = q.value;
    end = q.end;
  } else {
    const m = PLAIN_KEY.exec(text.slice(at));
    if (m === null) return undefined;
    key = m[0];
    end = at + key.length;
  }
  if (text.charCodeAt(end) !== 58 /* : */) return undefined;
  const after = end + 1;
  if (after < text.length && text.charCodeAt(after) !== 32) return undefined;
  // `true:` or `1:` is a key yaml reads as a boolean or number, then stringifies.
  if (c !== 34 && c !== 39 && resolvesToNonString(key)) bail();
  return { key, next: after };
}

// Keys as mesh.yaml writes them: names, dotted and slashed annotation keys.
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.\/-]*/;
// Inside a plain value (block context): the characters that cannot start an indicator or a
// comment in the middle of a scalar. The first character is checked separately.
const PLAIN_BLOCK = /^[A-Za-z0-9_.\/@=+()~, :-]*$/;
const PLAIN_FLOW = /^[A-Za-z0-9_.\/@=+()~ -]*$/;
const PLAIN_FIRST = /^[A-Za-z0-9_.\/(+~=]/;

/** The text after `key: ` (or `- `), with at most a trailing comment, as a value. */
function inlineValue(rest: string): unknown {
  const c = rest.charCodeAt(0);
  let value: unknown;
  let end: number;
  if (c === 91 /* [ */ || c === 123 /* { */) {
    const f = flow(rest, 0);
    value = f.value;
    end = f.end;
  } else if (c === 34 || c === 39) {
    const q = quoted(rest, 0);
    if (q === undefined) bail();
    value = q.value;
    end = q.end;
  } else {
    const hash = rest.indexOf(' #');
    const plain = (hash === -1 ? rest : rest.slice(0, hash)).trimEnd();
    if (!PLAIN_FIRST.test(plain) || !PLAIN_BLOCK.test(plain)) bail();
    // `a: b` inside a value, or a trailing colon, would be a mapping indicator.
    if (plain.includes(': ') || plain.endsWith(':')) bail();
    return resolvePlain(plain);
  }
  const tail = rest.slice(end);
  if (tail !== '' && !/^ +(#.*)?$/.test(tail)) bail();
  return value;
}

/** A one-line flow collection starting at `at`. */
function flow(text: string, at: number): { value: unknown; end: number } {
  const open = text.charCodeAt(at);
  const close = open === 91 ? 93 : 125;
  const seq: unknown[] = [];
  const map: Record<string, unknown> = {};
  let i = skipSpaces(text, at + 1);
  if (text.charCodeAt(i) === close) return { value: open === 91 ? seq : map, end: i + 1 };
  for (;;) {
    if (open === 123) {
      const k = flowScalar(text, i, true);
      if (typeof k.value !== 'string' || k.value === '__proto__' || Object.prototype.hasOwnProperty.call(map, k.value)) bail();
      if (text.charCodeAt(k.end) !== 58 || text.charCodeAt(k.end + 1) !== 32) bail();
      const v = flowItem(text, skipSpaces(text, k.end + 1));
      map[k.value] = v.value;
      i = v.end;
    } else {
      const v = flowItem(text, i);
      seq.push(v.value);
      i = v.end;
    }
    i = skipSpaces(text, i);
    const c = text.charCodeAt(i);
    if (c === close) return { value: open === 91 ? seq : map, end: i + 1 };
    if (c !== 44 /* , */) bail();
    i = skipSpaces(text, i + 1);
    // A trailing comma is legal YAML, but rare enough to leave to yaml.
    if (text.charCodeAt(i) === close) bail();
  }
}

function flowItem(text: string, at: number): { value: unknown; end: number } {
  const c = text.charCodeAt(at);
  return c === 91 || c === 123 ? flow(text, at) : flowScalar(text, at, false);
}

function flowScalar(text: string, at: number, isKey: boolean): { value: unknown; end: number } {
  const c = text.charCodeAt(at);
  if (c === 34 || c === 39) {
    const q = quoted(text, at);
    if (q === undefined) bail();
    return q;
  }
  let end = at;
  for (; end < text.length; end++) {
    const ch = text.charCodeAt(end);
    if (ch === 44 || ch === 93 || ch === 125 || ch === 58 /* : */ || ch === 35 /* # */) break;
  }
  const plain = text.slice(at, end).trimEnd();
  if (!PLAIN_FIRST.test(plain) || !PLAIN_FLOW.test(plain)) bail();
  // `#` and `:` end the scalar only in some positions; a key's colon is the one expected.
  if (text.charCodeAt(end) === 35 || (text.charCodeAt(end) === 58 && !isKey)) bail();
  return { value: isKey ? keyString(plain) : resolvePlain(plain), end: at + plain.length };
}

function keyString(plain: string): string {
  if (resolvesToNonString(plain)) bail();
  return plain;
}

/** A quoted scalar on one line without escapes; undefined when it is anything more. */
function quoted(text: string, at: number): { value: string; end: number } | undefined {
  const q = text.charCodeAt(at);
  if (q === 34) {
    const close = text.indexOf('"', at + 1);
    if (close === -1) return undefined;
    const value = text.slice(at + 1, close);
    if (value.includes('\\')) return undefined;
    return { value, end: close + 1 };
  }
  let value = '';
  let i = at + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close === -1) return undefined;
    value += text.slice(i, close);
    if (text.charCodeAt(close + 1) !== 39) return { value, end: close + 1 };
    value += "'";
    i = close + 2;
  }
}

function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === 32) at++;
  return at;
}

// YAML 1.2 core schema, as yaml 2 resolves plain scalars.
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
const SMALL_INT = /^(?:0|[1-9][0-9]{0,14})$/;
// Everything else the core schema would read as a number (signs, leading zeros, octal, hex,
// floats, exponents, .inf, .nan): left to yaml rather than re-implemented.
const OTHER_NUMBER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

function resolvePlain(plain: string): unknown {
  if (NULL.test(plain)) return null;
  if (TRUE.test(plain)) return true;
  if (FALSE.test(plain)) return false;
  if (SMALL_INT.test(plain)) return Number(plain);
  if (OTHER_NUMBER.test(plain)) bail();
  return plain;
}

function resolvesToNonString(plain: string): boolean {
  return NULL.test(plain) || TRUE.test(plain) || FALSE.test(plain) || OTHER_NUMBER.test(plain);
}
