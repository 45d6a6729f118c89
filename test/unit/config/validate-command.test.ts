// `meshctl validate` end to end through main(): flags, streams, exit codes, colour rules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { capturedIO, type CapturedIO } from '../cli/cli-harness.js';
import { meshText } from './mesh-builder.js';

function fakeIO(cwd: string, opts: { env?: Record<string, string>; tty?: boolean } = {}): CapturedIO {
  return capturedIO({ cwd, ...opts });
}

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const warningMesh = meshText((m) => m.networks.push('network3'));
const badMesh = meshText((m) => (m.clusters.cluster2.network = 'netwrk2'));

describe('meshctl validate', () => {
  it('exits 0 and summarises a valid mesh.yaml from the working directory', async () => {
    const c = fakeIO(workdir({ 'mesh.yaml': meshText() }));
    expect(await main(['validate'], c.io)).toBe(0);
    expect(c.out()).toBe('mesh.yaml is valid: mesh mesh1, 2 clusters (1 primary, 1 remote), 2 networks.\n');
    expect(c.err()).toBe('');
  });

  it('prints warnings but still exits 0', async () => {
    const c = fakeIO(workdir({ 'other.yaml': warningMesh }));
    expect(await main(['validate', '-f', 'other.yaml'], c.io)).toBe(0);
    expect(c.err()).toContain('Warning: Unused network');
    expect(c.err()).toContain('  on other.yaml line 9, column 5 (networks[2]):');
    expect(c.err().endsWith('0 errors, 1 warning\n')).toBe(true);
    expect(c.out()).toContain('other.yaml is valid: mesh mesh1, 2 clusters (1 primary, 1 remote), 3 networks.');
  });

  it('exits 1 with rendered errors and no stack trace', async () => {
    const c = fakeIO(workdir({ 'mesh.yaml': badMesh }));
    expect(await main(['validate', '--file', 'mesh.yaml'], c.io)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('Error: Undeclared network');
    expect(c.err()).toContain('    network: netwrk2');
    expect(c.err()).toContain('Hint: Did you mean "network2"?');
    expect(c.err()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('reports a missing file as a diagnostic', async () => {
    const c = fakeIO(workdir({}));
    expect(await main(['validate'], c.io)).toBe(1);
    expect(c.err()).toBe('Error: File not found\n\nmesh.yaml does not exist. Create it (see examples/) or pass another file with -f.\n\n1 error, 0 warnings\n');
  });

  it('reports a directory as a diagnostic', async () => {
    const dir = workdir({});
    const c = fakeIO(dir);
    expect(await main(['validate', '-f', '.'], c.io)).toBe(1);
    expect(c.err()).toContain('Error: Not a file');
  });

  it('--json prints {valid, diagnostics} on stdout', async () => {
    const c = fakeIO(workdir({ 'mesh.yaml': badMesh }));
    expect(await main(['validate', '--json'], c.io)).toBe(1);
    const parsed = JSON.parse(c.out()) as { valid: boolean; diagnostics: Array<{ summary: string; path: string; subject: { line: number } }> };
    expect(parsed.valid).toBe(false);
    expect(parsed.diagnostics.map((d) => [d.summary, d.path])).toEqual([
      ['Unused network', 'networks[1]'],
      ['Undeclared network', 'clusters.cluster2.network'],
    ]);
    expect(c.err()).toBe('');
    const ok = fakeIO(workdir({ 'mesh.yaml': meshText() }));
    expect(await main(['validate', '--json'], ok.io)).toBe(0);
    expect(JSON.parse(ok.out())).toEqual({ valid: true, diagnostics: [] });
  });

  it('colours only on a TTY, without NO_COLOR and without --no-color', async () => {
    const esc = '\u001b[';
    const run = async (args: string[], opts: { env?: Record<string, string>; tty?: boolean }) => {
      const c = fakeIO(workdir({ 'mesh.yaml': badMesh }), opts);
      await main(['validate', ...args], c.io);
      return c.err();
    };
    expect(await run([], { tty: true })).toContain(esc);
    expect(await run([], { tty: false })).not.toContain(esc);
    expect(await run([], { tty: true, env: { NO_COLOR: '1' } })).not.toContain(esc);
    expect(await run(['--no-color'], { tty: true })).not.toContain(esc);
  });
});
