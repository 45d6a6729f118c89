// Which istioctl renders a version: one binary (--istioctl, MESHCTL_ISTIOCTL) or a directory of
// them, one per version (--istioctl-dir, MESHCTL_ISTIOCTL_DIR), flags before the environment.
// Stand-in binaries are shell scripts that print a version as istioctl does.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDiagnosticsError } from '../../../src/diagnostics.js';
import { locateIstioctl, openIstioctl } from '../../../src/render/istioctl.js';

let dir: string;
let cache: string;
function fakeIstioctl(file: string, version: string, mode = 0o755): void {
  writeFileSync(file, `#!/bin/sh\necho "client version: ${version}"\n`);
  chmodSync(file, mode);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-istioctls-'));
  cache = mkdtempSync(join(tmpdir(), 'meshctl-cache-'));
  fakeIstioctl(join(dir, 'istioctl-1.31.0'), '1.31.0');
  mkdirSync(join(dir, 'istio-1.30.4', 'bin'), { recursive: true });
  fakeIstioctl(join(dir, 'istio-1.30.4', 'bin', 'istioctl'), '1.30.4');
  fakeIstioctl(join(dir, 'istioctl-1.29.0'), '1.29.0', 0o644); // not executable
  fakeIstioctl(join(dir, 'istioctl-9.9.9'), '1.31.0'); // misnamed: says another version
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isDiagnosticsError(e)) return e.diagnostics.map((d) => `${d.summary}: ${d.detail}${d.hint ? ` Hint: ${d.hint}` : ''}`).join('\n');
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('locateIstioctl', () => {
  it('finds istioctl-<version>, or istio-<version>/bin/istioctl as the release archive unpacks', async () => {
    expect(await locateIstioctl({ dir, env: {}, wantVersion: '1.31.0' })).toBe(join(dir, 'istioctl-1.31.0'));
    expect(await locateIstioctl({ dir, env: {}, wantVersion: '1.30.4' })).toBe(join(dir, 'istio-1.30.4', 'bin', 'istioctl'));
  });

  it('a version the directory lacks (or holds only as a file that is not executable) is an error naming the version and every path tried', async () => {
    const text = await refusal(locateIstioctl({ dir, env: {}, wantVersion: '1.29.0' }));
    expect(text).toBe(
      `istioctl not found: mesh.yaml asks for Istio 1.29.0; meshctl looked for its istioctl in ${dir} (--istioctl-dir) and found none: not ${join(dir, 'istioctl-1.29.0')}, nor ${join(dir, 'istio-1.29.0', 'bin', 'istioctl')}. Hint: Put istioctl 1.29.0 there as istioctl-1.29.0, or unpack Istio's release archive istio-1.29.0 there.`,
    );
  });

  it('flags before the environment: --istioctl, --istioctl-dir, MESHCTL_ISTIOCTL, MESHCTL_ISTIOCTL_DIR, then PATH', async () => {
    const env = { MESHCTL_ISTIOCTL: '/env/istioctl', MESHCTL_ISTIOCTL_DIR: '/env/dir' };
    expect(await locateIstioctl({ binary: '/flag/istioctl', dir, env, wantVersion: '1.31.0' })).toBe('/flag/istioctl');
    expect(await locateIstioctl({ dir, env, wantVersion: '1.31.0' })).toBe(join(dir, 'istioctl-1.31.0'));
    expect(await locateIstioctl({ env, wantVersion: '1.31.0' })).toBe('/env/istioctl');
    expect(await locateIstioctl({ env: { MESHCTL_ISTIOCTL_DIR: dir }, wantVersion: '1.30.4' })).toBe(join(dir, 'istio-1.30.4', 'bin', 'istioctl'));
    expect(await refusal(locateIstioctl({ env: { MESHCTL_ISTIOCTL_DIR: '/nowhere' }, wantVersion: '1.31.0' }))).toContain('looked for its istioctl in /nowhere (MESHCTL_ISTIOCTL_DIR)');
    expect(await locateIstioctl({ env: {}, wantVersion: '1.31.0' })).toBe('istioctl');
  });

  it('a relative directory is relative to the working directory', async () => {
    expect(await locateIstioctl({ dir: '.', cwd: dir, env: {}, wantVersion: '1.31.0' })).toBe(join(dir, 'istioctl-1.31.0'));
  });
});

describe('openIstioctl with a directory', () => {
  it('runs the binary found and checks its version', async () => {
    const istioctl = await openIstioctl({ dir, env: { MESHCTL_CACHE: cache }, wantVersion: '1.30.4' });
    expect([istioctl.binary, istioctl.version]).toEqual([join(dir, 'istio-1.30.4', 'bin', 'istioctl'), '1.30.4']);
  });

  it('refuses a binary whose version is not the one its name says', async () => {
    const text = await refusal(openIstioctl({ dir, env: { MESHCTL_CACHE: cache }, wantVersion: '9.9.9' }));
    expect(text).toContain(`mesh.yaml asks for Istio 9.9.9, but ${join(dir, 'istioctl-9.9.9')} is istioctl 1.31.0.`);
  });
});
