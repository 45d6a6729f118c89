// The render cache under hostile conditions: an entry is used only for the binary (by content,
// not just version) and IstioOperator it was made for, and only if its objects are the ones
// written; anything else is rendered again, never trusted and never an internal error.
// Stand-in istioctls are shell scripts that print a version, or a ConfigMap naming their
// flavour and the IstioOperator, and count their renderings in a file beside them.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/object.js';
import type { IstioOperatorSpec } from '../../../src/model/desired.js';
import { openIstioctl } from '../../../src/render/istioctl.js';

const VERSION = '1.31.0';
let dir: string;
let cache: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-render-cache-'));
  cache = join(dir, 'cache'); // not there yet: meshctl creates it
});

function fakeIstioctl(name: string, flavour: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  const file = join(dir, name, 'istioctl');
  writeFileSync(
    file,
    `#!/bin/sh
case "$1" in
  version) echo "client version: ${VERSION}" ;;
  manifest)
    echo run >> "${file}.runs"
    iop=$(sed -n 's/^ *"name": "\\([^"]*\\)".*/\\1/p' "$4" | head -n 1)
    printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: %s\\n  namespace: istio-system\\ndata:\\n  flavour: ${flavour}\\n' "$iop" ;;
  *) exit 2 ;;
esac
`,
  );
  chmodSync(file, 0o755);
  return file;
}

/** How many times the binary rendered. */
function runs(binary: string): number {
  return existsSync(`${binary}.runs`) ? readFileSync(`${binary}.runs`, 'utf8').trim().split('\n').length : 0;
}

function iop(name: string): IstioOperatorSpec {
  return { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name, namespace: 'istio-system' }, spec: { profile: 'minimal' } };
}

function rendering(flavour: string, name: string): KubeObject[] {
  return [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system' }, data: { flavour } }];
}

/** A fresh open per call, as each meshctl command makes: nothing shared but the disk (and the binary digest memo). */
async function render(binary: string, name = 'control-plane'): Promise<KubeObject[]> {
  const istioctl = await openIstioctl({ binary, env: { MESHCTL_CACHE: cache }, wantVersion: VERSION });
  return istioctl.render(iop(name));
}

function entryFiles(): string[] {
  const renderDir = join(cache, 'render');
  return readdirSync(renderDir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => join(renderDir, f));
}

function onlyEntry(): string {
  const files = entryFiles();
  expect(files).toHaveLength(1);
  return files[0]!;
}

const clusterAdmin: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'pwned' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
};

describe('render cache', () => {
  it('a valid entry is used: the binary renders once, and the cache is private to the user', async () => {
    const binary = fakeIstioctl('a', 'a');
    expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
    expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
    expect(runs(binary)).toBe(1);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(join(cache, 'render')).mode & 0o777).toBe(0o700);
    expect(statSync(onlyEntry()).mode & 0o777).toBe(0o600);
    expect(statSync(join(cache, 'istioctl-versions.json')).mode & 0o777).toBe(0o600);
  });

  it('an entry whose objects were changed (a ClusterRoleBinding added) is not used: rendered again and replaced', async () => {
    const binary = fakeIstioctl('a', 'a');
    await render(binary);
    const file = onlyEntry();
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { objects: KubeObject[] };
    entry.objects.push(clusterAdmin);
    writeFileSync(file, JSON.stringify(entry));

    expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
    expect(runs(binary)).toBe(2);
    expect(readFileSync(onlyEntry(), 'utf8')).not.toContain('ClusterRoleBinding');
    expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
    expect(runs(binary)).toBe(2);
  });

  it('an intact entry made for another IstioOperator, put in place of this one, is not used', async () => {
    const binary = fakeIstioctl('a', 'a');
    await render(binary, 'one');
    const [one] = entryFiles();
    await render(binary, 'two');
    const two = entryFiles().find((f) => f !== one)!;
    writeFileSync(two, readFileSync(one!));

    expect(await render(binary, 'two')).toEqual(rendering('a', 'two'));
    expect(runs(binary)).toBe(3);
  });

  it('two binaries with the same version string do not share entries', async () => {
    const a = fakeIstioctl('a', 'a');
    const b = fakeIstioctl('b', 'b');
    expect(await render(a)).toEqual(rendering('a', 'control-plane'));
    expect(await render(b)).toEqual(rendering('b', 'control-plane'));
    expect(await render(a)).toEqual(rendering('a', 'control-plane'));
    expect([runs(a), runs(b), entryFiles().length]).toEqual([1, 1, 2]);
  });

  it('a binary replaced in place by another of the same version does not reuse the old one’s entry', async () => {
    const binary = fakeIstioctl('a', 'a');
    expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
    fakeIstioctl('a', 'a-rebuilt');
    expect(await render(binary)).toEqual(rendering('a-rebuilt', 'control-plane'));
  });

  const intactObjects = JSON.stringify(rendering('a', 'control-plane'));
  const corruptions: Record<string, string> = {
    'truncated JSON': '{"format":"meshctl-render-cache/1","key":{',
    'empty file': '',
    null: 'null',
    'a number': '42',
    'an empty object': '{}',
    'a bare list of objects (no digest, no key)': intactObjects,
    'objects that are not a list': '{"format":"meshctl-render-cache/1","objects":"x"}',
    'a list of nulls': '{"format":"meshctl-render-cache/1","objects":[null]}',
  };
  for (const [what, content] of Object.entries(corruptions)) {
    it(`a corrupt entry (${what}) is rendered again, without an error, and replaced`, async () => {
      const binary = fakeIstioctl('a', 'a');
      await render(binary);
      writeFileSync(onlyEntry(), content);
      expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
      expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
      expect(runs(binary)).toBe(2);
    });
  }

  it('an entry that is a directory, or a damaged versions file, renders without an error', async () => {
    const binary = fakeIstioctl('a', 'a');
    await render(binary);
    const file = onlyEntry();
    writeFileSync(join(cache, 'istioctl-versions.json'), 'null');
    const other = fakeIstioctl('b', 'b'); // not remembered in this process: reads the damaged file
    expect(await render(other)).toEqual(rendering('b', 'control-plane'));

    writeFileSync(join(cache, 'istioctl-versions.json'), '{"x":');
    rmSync(file);
    mkdirSync(file);
    expect(await render(binary)).toEqual(rendering('a', 'control-plane'));
    expect(runs(binary)).toBe(2);
  });
});
