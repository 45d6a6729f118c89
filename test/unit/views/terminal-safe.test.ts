// Text from a server or a file never reaches the terminal as control sequences: a 403 body
// carrying ESC sequences, or a mesh.yaml line with a bidi override, is shown escaped.
import { describe, expect, it } from 'vitest';
import { error } from '../../../src/diagnostics.js';
import { renderDiagnostics } from '../../../src/views/diagnostics.js';
import { terminalSafe } from '../../../src/views/terminal-safe.js';

describe('terminalSafe', () => {
  it('escapes control characters, C1 controls and bidi overrides, and keeps newlines, tabs and other text', () => {
    expect(terminalSafe('a\u001b]0;owned\u0007b')).toBe('a\\x1b]0;owned\\x07b');
    expect(terminalSafe('x\u009b2Jy')).toBe('x\\x9b2Jy');
    expect(terminalSafe('admin\u202e  ')).toBe('admin\\u{202e}  ');
    expect(terminalSafe('line 1\n\tline 2 — ünïcode')).toBe('line 1\n\tline 2 — ünïcode');
  });
});

describe('diagnostics on a terminal', () => {
  const server = 'forbidden\u001b[2J\u001b[Hall good, nothing to see';
  const d = error('Not authorised', `listing Secrets failed (HTTP 403): ${server}`, {
    hint: 'ask \u001b[8mhidden',
    subject: { file: 'mesh.yaml', line: 1, column: 1, endLine: 1, endColumn: 5 },
  });

  it('shows what a server said escaped, and only meshctl’s own colours', () => {
    const plain = renderDiagnostics([d], { color: false, sources: new Map([['mesh.yaml', 'meshID: \u202eevil']]) });
    expect(plain).not.toMatch(/[\u001b\u202e]/);
    expect(plain).toContain('listing Secrets failed (HTTP 403): forbidden\\x1b[2J\\x1b[Hall good, nothing to see');
    expect(plain).toContain('meshID: \\u{202e}evil');
    const colored = renderDiagnostics([d], { color: true });
    expect(colored.match(/\u001b\[[0-9;]*m/g)!.length).toBe(colored.match(/\u001b/g)!.length);
  });
});
