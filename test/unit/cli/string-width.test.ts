// The bundled CLI measures help text with src/cli/string-width.ts instead of string-width
// (scripts/bundle.mjs), so the two must agree on every string, not only on ASCII.
import fc from 'fast-check';
import realStringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import stringWidth from '../../../src/cli/string-width.js';

const samples = [
  '',
  'meshctl plan --detailed-exitcode',
  '\u001b[1mBold\u001b[22m and \u001b[31mred\u001b[39m',
  '\u009b31mC1 CSI\u009b0m',
  'tab\there',
  'クラスター', // fullwidth katakana
  'ｶﾞ', // halfwidth katakana with halfwidth dakuten
  '古池や蛙飛び込む水の音',
  'e\u0301', // combining acute
  '\u200b\u200d', // zero-width only
  '👍🏽 👨‍👩‍👧 🇫🇷 1️⃣ 1\u20e3',
  '👨\u200d💻', // ZWJ without VS16
  '\u1100\u1161\u11a8 \u1100\u1100\u1161', // Hangul jamo
  'अनुच्छेद', // Devanagari with spacing marks
  '±§«»', // ambiguous-width
  '\ud800 lone surrogate',
  'mixed ascii and 表',
];

describe('lazy string-width', () => {
  it.each(samples.map((s) => [JSON.stringify(s), s]))('agrees with string-width on %s', (_, s) => {
    expect(stringWidth(s)).toBe(realStringWidth(s));
    expect(stringWidth(s, { ambiguousIsNarrow: false })).toBe(realStringWidth(s, { ambiguousIsNarrow: false }));
    expect(stringWidth(s, { countAnsiEscapeCodes: true })).toBe(realStringWidth(s, { countAnsiEscapeCodes: true }));
  });

  it('agrees with string-width on arbitrary Unicode text', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme-composite', maxLength: 8 }));
    fc.assert(
      fc.property(text, fc.boolean(), (s, narrow) => stringWidth(s, { ambiguousIsNarrow: narrow }) === realStringWidth(s, { ambiguousIsNarrow: narrow })),
      { numRuns: 500 },
    );
  });

  it('is 0 for what is not a string', () => {
    expect(stringWidth(undefined)).toBe(0);
    expect(stringWidth(42)).toBe(0);
  });
});
