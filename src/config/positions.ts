// Maps a path into the document (from an ajv instancePath or a semantic rule) back to the
// YAML node it came from, so every diagnostic can point at a line and column.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceRange } from '../diagnostics.js';

export type PathSegment = string | number;

/** What a path resolves against: the parsed document and its line index. */
export interface SourceIndex {
  readonly file: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

/** Point at the key of a mapping entry ("netwrk:") or at its value ("network9"). */
export type Target = 'key' | 'value';

/** Decodes an RFC 6901 JSON pointer ("/clusters/cluster1/network") into segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** "clusters.cluster2.network", "networks[1]", 'eastWestGateway.annotations["a.b/c"]'. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * The range of the node at `path`. When the path does not resolve all the way (a missing
 * key), the deepest node that exists is used, so the diagnostic still lands nearby.
 * An empty value (`network:` with nothing after it) falls back to its key.
 */
export function rangeAt(src: SourceIndex, path: readonly PathSegment[], target: Target = 'value'): SourceRange | undefined {
  let node: unknown = src.doc.contents;
  let key: unknown;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(src.doc);
    const next = childOf(node, seg);
    if (!next) break;
    ({ key, node } = next);
  }
  const chosen = target === 'key' && key ? key : (node ?? key);
  let range = nodeRange(chosen) ?? nodeRange(key);
  if (range && range[0] === range[1] && key) range = nodeRange(key) ?? range;
  return range ? offsetsToRange(src, range[0], range[1]) : undefined;
}

/** A source range from character offsets (end exclusive). */
export function offsetsToRange(src: Pick<SourceIndex, 'file' | 'lineCounter'>, start: number, end: number): SourceRange {
  const a = src.lineCounter.linePos(start);
  const b = src.lineCounter.linePos(Math.max(start, end));
  return { file: src.file, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** The exact text of the node at a path, e.g. to show how a number was written. */
export function sourceTextAt(src: SourceIndex, text: string, path: readonly PathSegment[]): string | undefined {
  const node = src.doc.getIn(path, true);
  const range = nodeRange(node);
  return range ? text.slice(range[0], range[1]) : undefined;
}

function childOf(node: unknown, seg: PathSegment): { key: unknown; node: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === String(seg)) return { key: pair.key, node: pair.value };
    }
    return undefined;
  }
  if (isSeq(node)) {
    const item = node.items[Number(seg)];
    return item === undefined ? undefined : { key: undefined, node: item };
  }
  return undefined;
}

function nodeRange(node: unknown): [number, number] | undefined {
  const r = (node as Node | null | undefined)?.range;
  if (!r) return undefined;
  // Block collections end after their trailing newline; trim so the end stays on the last
  // line of content rather than the start of the next line.
  return [r[0], Math.max(r[0], r[1])];
}
