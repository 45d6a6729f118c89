import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter, Parser, Lexer, Composer } from 'yaml';
const text = readFileSync('/tmp/mc/m100.yaml', 'utf8');
const mode = process.argv[2];
const r = [];
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  if (mode === 'lex') { let n = 0; for (const tok of new Lexer().lex(text)) n++; }
  if (mode === 'cst') { let n = 0; for (const tok of new Parser().parse(text)) n++; }
  if (mode === 'compose') { const c = new Composer({ uniqueKeys: true, strict: true }); const docs = [...c.compose(new Parser().parse(text))]; }
  if (mode === 'full') { const d = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, prettyErrors: false, strict: true }); d.toJS(); }
  r.push((performance.now() - t).toFixed(1));
}
console.log(mode, r.join(' '));
