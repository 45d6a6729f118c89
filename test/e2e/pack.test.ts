// What `npm pack` makes is what users install: the tarball, packed from a clean checkout (its
// prepack builds dist/bundle/) and installed from scratch as `npm install --global` installs it,
// must run meshctl with nothing but what npm put beside it. The other e2e tests run the bundle
// inside this repository, where src/, dist/ and every devDependency are at hand; here none is.
//
// The clean checkout is a copy of the files git tracks or would track (as they are in the
// working tree), with this repository's node_modules as `npm ci` left it: the copy's own build
// then leaves dist/ of this working tree alone for the other tests. npm installs the package's
// dependencies from the cache `npm ci` filled (--prefer-offline), and from the registry only what
// is missing there. Nothing here needs the clusters of the e2e run.
//
// Runtime, measured on this 2-core machine: 20 s idle (copy 0.4 s, `npm pack` with its build
// (tsc, esbuild) 10.4 s, `npm install` of the tarball 7.1 s: 115 packages from the cache, the
// five tests ~2 s together), 30-33 s while Go builds ran beside it (pack 17-19 s, install
// 8-10 s), 85 s at a load average of 13 (pack 54 s, install 16 s). Each phase's time is printed.
import { execFile } from 'node:child_process';
import { cpSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const example = join(root, 'examples/primary-remote-multi-network/mesh.yaml');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of every child: this test's, without what an enclosing `npm run`/`npm test`
 * exported for its own package (npm_package_*, npm_lifecycle_*, its prefixes), which a nested
 * npm would read as its configuration. The same node first on PATH, for `#!/usr/bin/env node`.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_(cache|registry|userconfig)$/i.test(k)));
  return { ...env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', ...extra };
}

function run(file: string, args: readonly string[], o: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((res, rej) => {
    execFile(file, [...args], { cwd: o.cwd, env: childEnv(o.env), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') rej(new Error(`could not run ${file} ${args.join(' ')}: ${err.message}`));
      else res({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

/** Runs a setup step that must succeed; a failure says which step, and what it printed. */
async function step(what: string, file: string, args: readonly string[], o: { cwd: string }): Promise<Run> {
  const r = await run(file, args, o);
  if (r.code !== 0) {
    const tail = (s: string) => s.split('\n').slice(-40).join('\n');
    throw new Error(`${what} failed: ${file} ${args.join(' ')} exited ${r.code} in ${o.cwd}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`);
  }
  return r;
}

async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

describe('the npm package, installed from its tarball', () => {
  let tmp: string;
  let work: string;
  let meshctl: string;
  let packed: readonly string[];
  const user = (args: readonly string[]) => run(meshctl, args, { cwd: work });

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'meshctl-pack-'));
    const timings: string[] = [];
    const timed = async <T>(what: string, f: () => Promise<T> | T): Promise<T> => {
      const started = Date.now();
      const v = await f();
      timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return v;
    };

    const checkout = join(tmp, 'checkout');
    await timed('copy', async () => {
      const listed = await step('listing the checkout', 'git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
      for (const file of listed.stdout.split('\0').filter(Boolean)) {
        // A file deleted in the working tree but not yet in git is not part of a checkout made
        // now; a node_modules that is a symlink is not a directory to .gitignore's `node_modules/`.
        if (file === 'node_modules' || !existsSync(join(root, file))) continue;
        mkdirSync(dirname(join(checkout, file)), { recursive: true });
        cpSync(join(root, file), join(checkout, file), { verbatimSymlinks: true });
      }
      symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    });

    const out = join(tmp, 'out');
    mkdirSync(out);
    const pack = await timed('npm pack (prepack: npm run build)', () => step('npm pack', 'npm', ['pack', '--pack-destination', out, '--json'], { cwd: checkout }));
    // The JSON array on stdout (npm sends prepack's output to stderr with --json; skipped if not).
    const report = JSON.parse(pack.stdout.slice(Math.max(0, pack.stdout.search(/^\[$/m)))) as [{ filename: string; files: { path: string }[] }];
    packed = report[0].files.map((f) => f.path);

    const prefix = join(tmp, 'prefix');
    await timed('npm install', () =>
      step('npm install of the tarball', 'npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(out, report[0].filename)], { cwd: tmp }),
    );
    meshctl = join(prefix, 'bin', 'meshctl');

    work = join(tmp, 'work');
    mkdirSync(work);
    copyFileSync(example, join(work, 'mesh.yaml'));
    console.log(`[pack] ${timings.join(', ')}`);
  }, 600_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the launcher, the bundle and the schemas, and no sources, tests or tsc output', () => {
    for (const f of ['package.json', 'README.md', 'bin/meshctl.js', 'dist/bundle/main.js', 'schemas/mesh.schema.json', 'schemas/plan.schema.json']) expect(packed).toContain(f);
    const unexpected = packed.filter((f) => !/^(?:bin|dist\/bundle|schemas)\//.test(f) && !['package.json', 'README.md'].includes(f));
    expect(unexpected).toEqual([]);
  });

  it('meshctl --version prints the package version', async () => {
    const r = await user(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('meshctl validate accepts an example mesh.yaml', async () => {
    const r = await user(['validate']);
    expect(r).toEqual({ code: 0, stdout: 'mesh.yaml is valid: mesh mesh1, 2 clusters (1 primary, 1 remote), 2 networks.\n', stderr: '' });
  });

  it('meshctl validate names the file, line and column of a mistake, worded from the shipped schema, and exits 1', async () => {
    const lines = readFileSync(example, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.trim() === 'role: remote');
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at]!.replace('remote', 'remot');
    writeFileSync(join(work, 'broken.yaml'), lines.join('\n'));
    const column = lines[at]!.indexOf('remot') + 1;

    const r = await user(['validate', '-f', 'broken.yaml']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`on broken.yaml line ${at + 1}, column ${column} (clusters.cluster2.role):`);
    // The allowed values come from schemas/mesh.schema.json, read at run time.
    expect(r.stderr).toContain('"remot" is not allowed in clusters.cluster2.role; expected "primary", "remote" or "external".');
    expect(r.stderr).toContain('1 error, 0 warnings');
  });

  it('an exec-plugin kubeconfig runs through @kubernetes/client-node, which the bundle leaves to the installed dependencies', async () => {
    // scripts/bundle.mjs keeps client-node external; meshctl imports it only for such contexts.
    const marker = join(work, 'exec-plugin-ran');
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'not-a-real-token' } });
    const pluginUser = {
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', `echo ran >> "$MESHCTL_PACK_MARKER"; printf '%s' '${credential}'`], interactiveMode: 'Never' },
    };
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'nowhere', cluster: { server: `https://127.0.0.1:${await closedLoopbackPort()}` } }],
      users: [{ name: 'plugin', user: pluginUser }],
      contexts: ['cluster1', 'cluster2'].map((name) => ({ name, context: { cluster: 'nowhere', user: 'plugin' } })),
    };
    writeFileSync(join(work, 'kubeconfig'), JSON.stringify(kubeconfig));

    const r = await run(meshctl, ['verify'], { cwd: work, env: { KUBECONFIG: join(work, 'kubeconfig'), MESHCTL_PACK_MARKER: marker, MESHCTL_DISCOVERY_CACHE: 'off' } });
    expect(r.stdout + r.stderr).not.toContain('Cannot find');
    expect(existsSync(marker), `the exec plugin never ran:\n${r.stdout}${r.stderr}`).toBe(true);
    // Credentials in hand, the clusters (a closed port) cannot be reached: verify says so, exit 1.
    expect(r.stdout).toContain('ECONNREFUSED');
    expect(r.stdout).toContain('2 could not be checked');
    expect(r.code).toBe(1);
  });
});
