// `npm run clusters` answers help and wrong command lines itself, without clusters or binaries.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = resolve(import.meta.dirname, '../../harness/cli.ts');
const { MESHCTL_SIM_OFF: _, ...env } = process.env;

function clusters(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('npm run clusters', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the usage for %s and exits 0', async (arg) => {
    const r = await clusters(arg);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run clusters -- <command>/);
    expect(r.stdout).toContain('--sim-off EFFECTS');
    expect(r.stderr).toBe('');
  });

  it.each([
    [['bogus'], 'error: unknown command "bogus"'],
    [['--bogus', 'status'], "error: Unknown option '--bogus'"],
    [['status', '--count', 'many'], 'error: --count must be an integer from 1 to 48, got "many"'],
    [['status', '--sim-off', 'nope'], 'error: Unknown simulated effect "nope"'],
    [[], 'error: no command given'],
  ])('answers %j with the reason and the usage, exit 2, no stack trace', async (args, reason) => {
    const r = await clusters(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(reason), r.stderr).toBe(true);
    expect(r.stderr).toContain('\n\nusage: npm run clusters -- <command>');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
  });
});
