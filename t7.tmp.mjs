import { readFileSync } from 'node:fs';
import { Lexer } from 'yaml';
const text = readFileSync(process.argv[2], 'utf8');
const r = [];
for (let i = 0; i < 6; i++) { const t = performance.now(); let n = 0; for (const tok of new Lexer().lex(text)) n++; r.push((performance.now() - t).toFixed(1)); }
console.log(r.join(' '));
const t = performance.now(); let x = 0; for (let i = 0; i < 1e7; i++) x += i % 7; console.log('loop', (performance.now() - t).toFixed(1));
