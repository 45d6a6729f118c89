// Bytes → YAML document with source positions, or diagnostics. Hostile input is expected
// (the CLI may be pointed at any file): duplicate keys, alias bombs, several documents, binary
// data and non-mapping roots all become diagnostics, never exceptions.
import { LineCounter, parseDocument, visit, type Alias, type YAMLError, type YAMLWarning } from 'yaml';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { offsetsToRange, type SourceIndex } from './positions.js';
import { parseSimpleYaml } from './simple-yaml.js';

/**
 * Legitimate mesh.yaml files use a handful of anchors (shared annotations); a "billion laughs"
 * document needs thousands of alias expansions. 50 leaves room for the first, stops the second.
 */
export const MAX_ALIAS_COUNT = 50;

export interface Parsed extends SourceIndex {
  /** The document as plain data (what the schema validates). */
  readonly value: unknown;
}

export type ParseResult = { readonly ok: true; readonly parsed: Parsed; readonly diagnostics: Diagnostic[] } | { readonly ok: false; readonly diagnostics: Diagnostic[] };

/** Decodes bytes as UTF-8, refusing binary content with one diagnostic. */
export function decodeText(bytes: Uint8Array, file: string): { text?: string; diagnostics: Diagnostic[] } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    if (text.includes('\u0000')) return { diagnostics: [notText(file, 'contains NUL bytes')] };
    return { text, diagnostics: [] };
  } catch {
    return { diagnostics: [notText(file, 'is not valid UTF-8')] };
  }
}

export function parseMeshYaml(text: string, file: string): ParseResult {
  const simple = parseSimpleYaml(text);
  const r: ParseResult = simple !== undefined ? { ok: true, parsed: lazySourceIndex(text, file, simple), diagnostics: [] } : parseWithYaml(text, file);
  if (!r.ok || !hasInexactNumber(r.parsed.value)) return r;
  return { ok: false, diagnostics: [...r.diagnostics, ...inexactNumbers(r.parsed)] };
}

/**
 * A number JavaScript cannot hold exactly (1e400 is Infinity, which JSON writes as null; a
 * 30-digit integer loses its last digits) would reach istioctl changed, silently: refused.
 */
const inexact = (v: unknown): boolean => typeof v === 'number' && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)));

function hasInexactNumber(v: unknown): boolean {
  if (inexact(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  return (Array.isArray(v) ? v : Object.values(v)).some(hasInexactNumber);
}

function inexactNumbers(index: SourceIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(index.doc, {
    Scalar: (_, node) => {
      if (!inexact(node.value) || !node.range) return;
      out.push(
        error('Number out of range', `${node.source ?? String(node.value)} cannot be kept exactly as a number (it would become ${JSON.stringify(node.value)}).`, {
          subject: offsetsToRange(index, node.range[0], node.range[1]),
          hint: 'Quote it to keep it as text, or write a smaller number.',
        }),
      );
    },
  });
  return out;
}

/**
 * The fast path's result. The YAML document (for source positions) is built only when a
 * diagnostic needs a position; simple-yaml.ts guarantees yaml reads the text to the same value
 * without errors or warnings, so that document is the one the slow path would have built.
 */
function lazySourceIndex(text: string, file: string, value: Record<string, unknown>): Parsed {
  let full: Parsed | undefined;
  const slow = (): Parsed => {
    if (full) return full;
    const r = parseWithYaml(text, file);
    if (!r.ok) throw new Error(`simple-yaml accepted a document yaml rejects: ${r.diagnostics[0]?.summary ?? ''}`);
    return (full = r.parsed);
  };
  return {
    file,
    value,
    get doc() {
      return slow().doc;
    },
    get lineCounter() {
      return slow().lineCounter;
    },
  };
}

function parseWithYaml(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const index = { file, doc, lineCounter };
  const diagnostics = [...yamlProblems(index, text, doc.errors, 'error'), ...yamlProblems(index, text, doc.warnings, 'warning')];
  if (doc.errors.length > 0) return { ok: false, diagnostics };
  if (doc.contents === null) {
    diagnostics.push(
      error('Empty file', `${file} contains no YAML document.`, {
        hint: 'Start from one of the files in examples/, e.g. examples/primary-remote-multi-network/mesh.yaml.',
      }),
    );
    return { ok: false, diagnostics };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    diagnostics.push(aliasProblem(index, (e as Error).message));
    return { ok: false, diagnostics };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const range = doc.contents.range;
    diagnostics.push(
      error('Expected a mapping', `The top level of ${file} must be a mapping of keys (apiVersion, kind, meshID, …), not ${describeValue(value)}.`, {
        subject: offsetsToRange(index, range[0], range[1]),
      }),
    );
    return { ok: false, diagnostics };
  }
  return { ok: true, parsed: { ...index, value }, diagnostics };
}

/** "a list", "a string", … for messages about what was found instead. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

// yaml's codes → a short, stable summary, and where yaml's own wording is about the library
// rather than the file, our own detail; where the fix is not obvious, a hint.
interface CodeText {
  readonly summary: string;
  readonly detail?: (source: string) => string;
  readonly hint?: string;
}
const yamlCodes: Record<string, CodeText> = {
  DUPLICATE_KEY: {
    summary: 'Duplicate key',
    detail: (key) => `The key "${key.replace(/^["']|["']$/g, '')}" appears twice in the same mapping, so it is unclear which value is meant.`,
    hint: 'Each key may appear once per mapping; merge the two entries.',
  },
  TAB_AS_INDENT: { summary: 'Tab in indentation', hint: 'YAML indentation must use spaces; replace the tab with spaces.' },
  MULTIPLE_DOCS: {
    summary: 'Multiple YAML documents',
    detail: () => 'mesh.yaml must hold exactly one YAML document; a second one starts here.',
    hint: 'Remove the "---" separator and what follows, or merge it into the first document.',
  },
  BAD_INDENT: { summary: 'Invalid YAML', hint: 'Check the indentation and that every bracket is closed.' },
  TAG_RESOLVE_FAILED: { summary: 'Unknown YAML tag', hint: 'mesh.yaml needs no tags; remove the "!…" tag.' },
};

/**
 * One diagnostic per line: a single slip (a mis-indented key) makes yaml report two or three
 * consequential errors at the same place, which only bury the first, real one.
 */
function yamlProblems(index: SourceIndex, text: string, problems: readonly (YAMLError | YAMLWarning)[], severity: 'error' | 'warning'): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (const e of problems) {
    const line = index.lineCounter.linePos(e.pos[0]).line;
    if (lines.has(line)) continue;
    lines.add(line);
    out.push(yamlProblem(index, text, e, severity));
  }
  return out;
}

function yamlProblem(index: SourceIndex, text: string, e: YAMLError | YAMLWarning, severity: 'error' | 'warning'): Diagnostic {
  const known = yamlCodes[e.code];
  let [start, end] = e.pos;
  // yaml marks a duplicate key by its first character; widen to the whole key.
  if (e.code === 'DUPLICATE_KEY') end = start + (/^[^:\n]*/.exec(text.slice(start))?.[0].trimEnd().length ?? 1);
  const token = text.slice(start, end);
  // yaml appends " at line X, column Y" (and a code frame) to messages; we show our own.
  const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const detail = known?.detail?.(token) ?? (message.endsWith('.') ? message : `${message}.`);
  const make = severity === 'error' ? error : warning;
  return make(known?.summary ?? (severity === 'error' ? 'Invalid YAML' : 'Suspicious YAML'), detail, {
    subject: offsetsToRange(index, start, Math.max(start, end)),
    ...(known?.hint ? { hint: known.hint } : {}),
  });
}

function aliasProblem(index: SourceIndex, message: string): Diagnostic {
  const aliases: Alias[] = [];
  visit(index.doc, { Alias: (_, node) => void aliases.push(node) });
  const unresolved = /: (\S+)$/.exec(message.split('\n')[0]!)?.[1];
  const culprit = aliases.find((a) => unresolved !== undefined && a.source === unresolved) ?? aliases[0];
  const at = culprit?.range ? offsetsToRange(index, culprit.range[0], culprit.range[1]) : offsetsToRange(index, 0, 0);
  if (/alias count/i.test(message)) {
    return error('Too many aliases', `The document expands YAML aliases (*name) more than ${MAX_ALIAS_COUNT} times, which looks like an alias bomb; meshctl refuses to expand it.`, {
      hint: 'Write the repeated values out instead of nesting aliases.',
      subject: at,
    });
  }
  return error('Invalid YAML alias', `${message.split('\n')[0]}.`, {
    subject: at,
    hint: 'Define the anchor (&name) before any alias (*name) that refers to it.',
  });
}

function notText(file: string, why: string): Diagnostic {
  return error('Not a text file', `${file} ${why}; mesh.yaml must be UTF-8 text.`, {
    hint: 'Check that -f names the mesh.yaml and not another file.',
  });
}
