// Rendering IstioOperators into Kubernetes objects with the real `istioctl manifest
// generate` (offline: charts are compiled into istioctl). Run without a shell; cached on disk
// per (istioctl binary's sha256 and version, IstioOperator), entries verified on reading
// (render-cache.ts), since rendering takes seconds.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fail } from '../diagnostics.js';
import type { KubeObject } from '../kube/object.js';
import type { IstioOperatorSpec } from '../model/desired.js';
import { cacheRoot } from '../cache/root.js';
import { identifyIstioctl, type IstioctlIdentity } from './istioctl-identity.js';
import { readRenderCache, sha256Hex, writeRenderCache } from './render-cache.js';
import { run } from './run.js';

export interface Istioctl {
  readonly binary: string;
  readonly version: string;
  render(iop: IstioOperatorSpec): Promise<KubeObject[]>;
}

/** Where istioctl comes from: --istioctl (one binary) or --istioctl-dir (one per version), as given. */
export interface IstioctlChoice {
  readonly binary?: string;
  readonly dir?: string;
}

/** Finds istioctl (locateIstioctl) and checks it is the version mesh.yaml asks for. */
export async function openIstioctl(opts: IstioctlChoice & { env: NodeJS.ProcessEnv; wantVersion: string; cwd?: string }): Promise<Istioctl> {
  const binary = await locateIstioctl(opts);
  let identity: IstioctlIdentity;
  try {
    identity = await identifyIstioctl(binary, cacheRoot(opts.env));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(
      'istioctl not found',
      code === 'ENOENT'
        ? `meshctl renders Istio's manifests with istioctl ${opts.wantVersion}, but "${binary}" is not on PATH. Install istioctl ${opts.wantVersion}, or pass --istioctl /path/to/istioctl (or set MESHCTL_ISTIOCTL), or --istioctl-dir DIR holding istioctl-${opts.wantVersion} (or MESHCTL_ISTIOCTL_DIR).`
        : `Running "${binary} version" failed: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const { version } = identity;
  if (version !== opts.wantVersion) {
    fail(
      'istioctl version does not match mesh.yaml',
      `mesh.yaml asks for Istio ${opts.wantVersion}, but ${binary} is istioctl ${version}. Rendering with another version would install other manifests. Use istioctl ${opts.wantVersion} (--istioctl or MESHCTL_ISTIOCTL, or --istioctl-dir DIR holding istioctl-${opts.wantVersion}).`,
    );
  }
  const cacheDir = path.join(cacheRoot(opts.env), 'render');
  // Clusters on one network render identical east-west gateway IstioOperators: share one
  // rendering per digest instead of racing to write the same cache entry.
  const inFlight = new Map<string, Promise<KubeObject[]>>();
  return {
    binary,
    version,
    render: (iop) => {
      const key = JSON.stringify(iop);
      let p = inFlight.get(key);
      if (!p) {
        p = renderCached({ binary, identity, cacheDir, iop });
        inFlight.set(key, p);
      }
      return p;
    },
  };
}

/**
 * Which istioctl renders `wantVersion`, flags before the environment: --istioctl, then
 * --istioctl-dir, then MESHCTL_ISTIOCTL, then MESHCTL_ISTIOCTL_DIR, then `istioctl` on PATH. A
 * directory holds one istioctl per version, `istioctl-<version>` or `istio-<version>/bin/istioctl`
 * (how Istio's release archives unpack), so a mesh that moves between versions (an upgrade)
 * finds each one; a version it lacks is an error naming where meshctl looked.
 */
export async function locateIstioctl(o: IstioctlChoice & { env: NodeJS.ProcessEnv; wantVersion: string; cwd?: string }): Promise<string> {
  const fromDir = async (dir: string, how: string): Promise<string> => {
    const root = path.resolve(o.cwd ?? process.cwd(), dir);
    const candidates = istioctlPathsIn(root, o.wantVersion);
    for (const c of candidates) if (await isExecutableFile(c)) return c;
    fail('istioctl not found', `mesh.yaml asks for Istio ${o.wantVersion}; meshctl looked for its istioctl in ${root} (${how}) and found none: not ${candidates.join(', nor ')}.`, {
      hint: `Put istioctl ${o.wantVersion} there as istioctl-${o.wantVersion}, or unpack Istio's release archive istio-${o.wantVersion} there.`,
    });
  };
  if (o.binary !== undefined) return o.binary;
  if (o.dir !== undefined) return fromDir(o.dir, '--istioctl-dir');
  if (o.env.MESHCTL_ISTIOCTL) return o.env.MESHCTL_ISTIOCTL;
  if (o.env.MESHCTL_ISTIOCTL_DIR) return fromDir(o.env.MESHCTL_ISTIOCTL_DIR, 'MESHCTL_ISTIOCTL_DIR');
  return 'istioctl';
}

/** The names an istioctl of `version` may have in a directory of versions, in the order tried. */
export function istioctlPathsIn(dir: string, version: string): string[] {
  return [path.join(dir, `istioctl-${version}`), path.join(dir, `istio-${version}`, 'bin', 'istioctl')];
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function renderCached(o: { binary: string; identity: IstioctlIdentity; cacheDir: string; iop: IstioOperatorSpec }): Promise<KubeObject[]> {
  // JSON is YAML to istioctl, and a no-op plan that finds every rendering cached then needs no
  // YAML serialiser at all (loading and running it would be a visible share of the plan).
  const text = `${JSON.stringify(o.iop, null, 2)}\n`;
  // A binary that could not be hashed has no key to cache under: rendered every time.
  const key = o.identity.sha256 ? { istioctlSha256: o.identity.sha256, istioctlVersion: o.identity.version, iopSha256: sha256Hex(text) } : undefined;
  const cached = key && (await readRenderCache(o.cacheDir, key));
  if (cached) return cached;
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meshctl-render-'));
  try {
    const file = path.join(tmpDir, 'iop.yaml');
    await fs.writeFile(file, text);
    let out: string;
    try {
      out = await run(o.binary, ['manifest', 'generate', '-f', file], { timeoutMs: 120_000 });
    } catch (e) {
      fail('istioctl manifest generate failed', `Rendering IstioOperator "${o.iop.metadata.name}" failed: ${((e as { stderr?: string }).stderr || (e as Error).message).trim().slice(0, 2000)}`);
    }
    const objects = parseManifests(out);
    if (key) await writeRenderCache(o.cacheDir, key, objects);
    return objects;
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

/** Multi-document YAML into objects, skipping empty documents and Lists flattened. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const v = doc.toJSON() as KubeObject | null;
    if (!v || typeof v !== 'object') continue;
    if (v.kind?.endsWith('List') && Array.isArray((v as { items?: unknown }).items)) out.push(...(v as unknown as { items: KubeObject[] }).items);
    else if (v.kind && v.metadata?.name) out.push(v);
  }
  return out;
}
