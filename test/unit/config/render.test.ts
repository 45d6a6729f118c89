// renderDiagnostics: layout, excerpts, colour and the closing count.
import { describe, expect, it } from 'vitest';
import { error, warning } from '../../../src/diagnostics.js';
import { renderDiagnostics } from '../../../src/views/diagnostics.js';

const sources = new Map([['mesh.yaml', 'a: 1\nclusters:\n\tbad: x\n  cluster2:\n    network: n9\n']]);
const at = (line: number, column: number, endLine: number, endColumn: number) => ({ file: 'mesh.yaml', line, column, endLine, endColumn });

describe('renderDiagnostics', () => {
  it('renders summary, location, excerpt, detail and hint, then the count', () => {
    const d = error('Undeclared network', 'Cluster cluster2 is on network n9.', { subject: at(5, 14, 5, 16), path: 'clusters.cluster2.network', hint: 'Did you mean "network1"?' });
    expect(renderDiagnostics([d], { color: false, sources })).toBe(
      [
        'Error: Undeclared network',
        '',
        '  on mesh.yaml line 5, column 14 (clusters.cluster2.network):',
        '  5 |     network: n9',
        '    |              ^^',
        '',
        'Cluster cluster2 is on network n9.',
        'Hint: Did you mean "network1"?',
        '',
        '1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('underlines a multi-line range to the end of its first line and shows tabs as spaces', () => {
    const multi = warning('W', 'detail', { subject: at(4, 3, 5, 17) });
    const tab = error('Tab in indentation', 'Tabs are not allowed as indentation.', { subject: at(3, 1, 3, 2) });
    const out = renderDiagnostics([tab, multi], { color: false, sources });
    expect(out).toContain('  3 |  bad: x\n    | ^\n');
    expect(out).toContain('  4 |   cluster2:\n    |   ^^^^^^^^^\n');
    expect(out.endsWith('\n1 error, 1 warning\n')).toBe(true);
  });

  it('omits the excerpt without the source, and the location without a subject', () => {
    const out = renderDiagnostics([error('E', 'd', { subject: at(1, 1, 1, 2) }), error('F', 'only detail')], { color: false });
    expect(out).toBe('Error: E\n\n  on mesh.yaml line 1, column 1:\n\nd\n\nError: F\n\nonly detail\n\n2 errors, 0 warnings\n');
  });

  it('colours only when asked', () => {
    const d = [error('E', 'd', { subject: at(1, 1, 1, 2), hint: 'h' })];
    expect(renderDiagnostics(d, { color: true, sources })).toContain('\u001b[1;31mError\u001b[0m');
    expect(renderDiagnostics(d, { color: false, sources })).not.toContain('\u001b');
  });

  it('renders nothing for no diagnostics', () => {
    expect(renderDiagnostics([], { color: false })).toBe('');
  });
});
