// string-width for the bundled CLI: the same widths as string-width 8.3.0 (MIT, Sindre Sorhus;
// the algorithm below is its own, ported line for line), but nothing is built until a string
// needs it.
//
// Why: yargs and cliui measure help lines with string-width, and string-width builds an
// Intl.Segmenter and four Unicode-set regular expressions (\p{RGI_Emoji} among them) when its
// module is evaluated: a cost every meshctl start paid before reading mesh.yaml, for text that
// is printable ASCII almost always (measured in docs/architecture.md, start-up).
// scripts/bundle.mjs points every `string-width` import (yargs' 8.3 and cliui's 7.2) here;
// test/unit/cli/string-width.test.ts checks the answers against string-width itself.
import stripAnsi from 'strip-ansi';
import { eastAsianWidth } from 'get-east-asian-width';

interface Options {
  readonly ambiguousIsNarrow?: boolean;
  readonly countAnsiEscapeCodes?: boolean;
}

interface Tables {
  readonly segmenter: Intl.Segmenter;
  /** A visible (printing) character: finds a cluster's base scalar. */
  readonly visible: RegExp;
  readonly spacingMark: RegExp;
  readonly rgiEmoji: RegExp;
  readonly extendedPictographic: RegExp;
}

let tables: Tables | undefined;

function built(): Tables {
  tables ??= {
    segmenter: new Intl.Segmenter(),
    visible: new RegExp('[^\\p{Default_Ignorable_Code_Point}\\p{Control}\\p{Format}\\p{Nonspacing_Mark}\\p{Enclosing_Mark}\\p{Surrogate}]', 'v'),
    spacingMark: new RegExp('\\p{Spacing_Mark}', 'v'),
    rgiEmoji: new RegExp('^\\p{RGI_Emoji}$', 'v'),
    extendedPictographic: new RegExp('\\p{Extended_Pictographic}', 'gu'),
  };
  return tables;
}

const printableAscii = /^[\u0020-\u007E]*$/;
const unqualifiedKeycap = /^[\d#*]\u20E3$/;

export default function stringWidth(input: unknown, options: Options = {}): number {
  if (typeof input !== 'string' || input.length === 0) return 0;
  const { ambiguousIsNarrow = true, countAnsiEscapeCodes = false } = options;
  let text = input;
  if (!countAnsiEscapeCodes && (text.includes('\u001B') || text.includes('\u009B'))) text = stripAnsi(text);
  if (text.length === 0) return 0;
  if (printableAscii.test(text)) return text.length;

  const t = built();
  const eaw = { ambiguousAsWide: !ambiguousIsNarrow };
  let width = 0;
  for (const { segment } of t.segmenter.segment(text)) {
    const index = segment.search(t.visible);
    if (index === -1) continue; // non-printing cluster
    const visible = segment.slice(index);
    if (t.rgiEmoji.test(segment) || isDoubleWidthNonRgiEmoji(segment, t)) {
      width += 2;
      continue;
    }
    const hangul = hangulClusterWidth(visible, eaw, t);
    if (hangul !== undefined) {
      width += hangul;
      continue;
    }
    width += eastAsianWidth(visible.codePointAt(0)!, eaw);
    width += trailingWidth(visible, eaw, t);
  }
  return width;
}

/** Keycaps and ZWJ sequences of 2+ pictographs render double-width without VS16. */
function isDoubleWidthNonRgiEmoji(segment: string, t: Tables): boolean {
  if (segment.length > 50) return false;
  if (unqualifiedKeycap.test(segment)) return true;
  if (segment.includes('\u200D')) {
    const pictographics = segment.match(t.extendedPictographic);
    return pictographics !== null && pictographics.length >= 2;
  }
  return false;
}

const isLeadingJamo = (c: number | undefined) => c !== undefined && ((c >= 0x1100 && c <= 0x115f) || (c >= 0xa960 && c <= 0xa97c));
const isVowelJamo = (c: number | undefined) => c !== undefined && ((c >= 0x1160 && c <= 0x11a7) || (c >= 0xd7b0 && c <= 0xd7c6));
const isTrailingJamo = (c: number | undefined) => c !== undefined && ((c >= 0x11a8 && c <= 0x11ff) || (c >= 0xd7cb && c <= 0xd7fb));
const isJamo = (c: number) => isLeadingJamo(c) || isVowelJamo(c) || isTrailingJamo(c);

/** Modern Hangul L+V(+T) jamo shape as one syllable block of width 2; unmatched jamo add up. */
function hangulClusterWidth(visible: string, eaw: { ambiguousAsWide: boolean }, t: Tables): number | undefined {
  const codePoints: number[] = [];
  for (const character of visible) if (t.visible.test(character)) codePoints.push(character.codePointAt(0)!);
  if (codePoints.length === 0) return undefined;
  let width = 0;
  for (let i = 0; i < codePoints.length; i++) {
    const c = codePoints[i]!;
    if (!isJamo(c)) {
      if (width === 0) return undefined;
      for (let rest = i; rest < codePoints.length; rest++) width += eastAsianWidth(codePoints[rest]!, eaw);
      return width;
    }
    if (isLeadingJamo(c) && isVowelJamo(codePoints[i + 1])) {
      width += 2;
      i += isTrailingJamo(codePoints[i + 2]) ? 2 : 1;
      continue;
    }
    width += eastAsianWidth(c, eaw);
  }
  return width;
}

/** Spacing marks and Halfwidth/Fullwidth Forms after the base add their own width. */
function trailingWidth(visible: string, eaw: { ambiguousAsWide: boolean }, t: Tables): number {
  let extra = 0;
  let first = true;
  for (const character of visible) {
    if (first) {
      first = false;
      continue;
    }
    if (t.spacingMark.test(character) || (character >= '\uFF00' && character <= '\uFFEF')) extra += eastAsianWidth(character.codePointAt(0)!, eaw);
  }
  return extra;
}
