// The files a pod's volume mounts would show its container, written under the process's root
// directory: a mountPath /etc/cacerts becomes <root>/etc/cacerts. pilot-discovery reads its files
// through paths relative to its working directory ("./etc/cacerts", "./var/run/secrets/tokens/
// istio-token", "./var/run/secrets/istiod/tls/", ...; pkg/config/constants, bootstrap/istio_ca.go),
// which in the image is /, so running it in <root> reads exactly these.
//
// Supported: secret, configMap, emptyDir, downwardAPI and projected volumes (serviceAccountToken,
// secret, configMap, downwardAPI sources), items, optional, subPath; and the ServiceAccount
// admission plugin's automatic kube-api-access volume at /var/run/secrets/kubernetes.io/
// serviceaccount (token, ca.crt, namespace). A missing non-optional Secret or ConfigMap is an
// error, as it keeps a pod in ContainerCreating. Tokens come from the TokenRequest API for the
// pod's ServiceAccount and are requested again once 80 % of their lifetime has passed, as the
// kubelet does.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { V1Container, V1KeyToPath, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { fieldRef, type PodIdentity, type PodSources } from './pod.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
// What the kubelet asks for the automatic kube-api-access token (pkg/kubelet: 3607 s).
const KUBE_API_ACCESS_SECONDS = 3607;

/** Issues tokens for the pod's ServiceAccount: TokenRequest with this audience (undefined: the API server's own). */
export type TokenIssuer = (audience: string | undefined, expirationSeconds: number) => Promise<{ token: string; expiresAt: number }>;

/** Relative path (inside the volume) -> content. */
type Contents = Map<string, string>;

export interface PodFiles {
  /** Absolute path -> content, every file the mounts show. */
  files: Map<string, string>;
  /** Mount points that exist as (possibly empty) directories. */
  dirs: string[];
}

/** Caches tokens per audience and lifetime, renewing one when 80 % of its lifetime has passed. */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; issuedAt: number; expiresAt: number }>();
  constructor(private readonly issue: TokenIssuer) {}

  async get(audience: string | undefined, expirationSeconds: number): Promise<string> {
    const key = `${audience ?? ''}/${expirationSeconds}`;
    const cached = this.tokens.get(key);
    if (cached && Date.now() < cached.issuedAt + 0.8 * (cached.expiresAt - cached.issuedAt)) return cached.token;
    const issuedAt = Date.now();
    const { token, expiresAt } = await this.issue(audience, expirationSeconds);
    this.tokens.set(key, { token, issuedAt, expiresAt });
    return token;
  }
}

function selected(data: Record<string, string>, items: V1KeyToPath[] | undefined, what: string, optional: boolean): Contents {
  if (!items?.length) return new Map(Object.entries(data));
  const out: Contents = new Map();
  for (const item of items) {
    if (item.key in data) out.set(item.path, data[item.key]!);
    else if (!optional) throw new Error(`${what} has no key ${item.key}`);
  }
  return out;
}

function downwardItems(items: { path: string; fieldRef?: { fieldPath: string } }[] | undefined, pod: PodIdentity): Contents {
  const out: Contents = new Map();
  const format = (m: Record<string, string>) =>
    Object.entries(m)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n');
  for (const item of items ?? []) {
    const path = item.fieldRef?.fieldPath;
    if (!path) throw new Error(`downwardAPI item ${item.path}: only fieldRef items are supported by the local istiod runner`);
    out.set(item.path, path === 'metadata.labels' ? format(pod.labels) : path === 'metadata.annotations' ? format(pod.annotations) : fieldRef(path, pod));
  }
  return out;
}

interface VolumeContext {
  pod: PodIdentity;
  sources: PodSources;
  tokens: TokenCache;
  /** The cluster's CA (what the kube-root-ca.crt ConfigMap holds in a cluster running its publisher). */
  clusterCa: string;
}

async function secretOrConfigMap(kind: 'Secret' | 'ConfigMap', name: string, items: V1KeyToPath[] | undefined, optional: boolean, ctx: VolumeContext): Promise<Contents> {
  const data = kind === 'Secret' ? await ctx.sources.secretData(name) : await ctx.sources.configMapData(name);
  if (data === undefined) {
    if (optional) return new Map();
    throw new Error(`${kind} ${ctx.pod.namespace}/${name} not found (a pod would stay in ContainerCreating)`);
  }
  return selected(data, items, `${kind} ${name}`, optional);
}

/** The files one volume holds, or undefined for an emptyDir. */
async function volumeContents(volume: V1Volume, ctx: VolumeContext): Promise<Contents | undefined> {
  if (volume.emptyDir) return undefined;
  if (volume.secret) return secretOrConfigMap('Secret', volume.secret.secretName ?? '', volume.secret.items, volume.secret.optional === true, ctx);
  if (volume.configMap) return secretOrConfigMap('ConfigMap', volume.configMap.name ?? '', volume.configMap.items, volume.configMap.optional === true, ctx);
  if (volume.downwardAPI) return downwardItems(volume.downwardAPI.items, ctx.pod);
  if (volume.projected) {
    const out: Contents = new Map();
    for (const source of volume.projected.sources ?? []) {
      let part: Contents;
      if (source.serviceAccountToken) {
        const t = source.serviceAccountToken;
        part = new Map([[t.path, await ctx.tokens.get(t.audience, t.expirationSeconds ?? 3600)]]);
      } else if (source.secret) part = await secretOrConfigMap('Secret', source.secret.name ?? '', source.secret.items, source.secret.optional === true, ctx);
      else if (source.configMap) part = await secretOrConfigMap('ConfigMap', source.configMap.name ?? '', source.configMap.items, source.configMap.optional === true, ctx);
      else if (source.downwardAPI) part = downwardItems(source.downwardAPI.items, ctx.pod);
      else throw new Error(`volume ${volume.name}: this projected source is not supported by the local istiod runner`);
      part.forEach((v, k) => out.set(k, v));
    }
    return out;
  }
  throw new Error(`volume ${volume.name}: this volume type is not supported by the local istiod runner`);
}

/** The automatic kube-api-access volume the ServiceAccount admission plugin adds to every pod that does not opt out. */
async function kubeApiAccess(ctx: VolumeContext): Promise<Contents> {
  return new Map([
    ['token', await ctx.tokens.get(undefined, KUBE_API_ACCESS_SECONDS)],
    ['ca.crt', ctx.clusterCa],
    ['namespace', ctx.pod.namespace],
  ]);
}

/** Every file and directory the container's mounts show, as absolute paths under `root`. */
export async function podFiles(root: string, spec: V1PodSpec, container: V1Container, ctx: VolumeContext): Promise<PodFiles> {
  const files = new Map<string, string>();
  const dirs: string[] = [];
  const under = (path: string) => {
    const p = normalize(path);
    if (!p.startsWith('/') || p.split('/').includes('..')) throw new Error(`mount path ${path} must be absolute and plain`);
    return join(root, p);
  };
  const mounts = [...(container.volumeMounts ?? [])];
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  if (spec.automountServiceAccountToken !== false && !mounts.some((m) => normalize(m.mountPath) === SERVICE_ACCOUNT_DIR)) {
    mounts.push({ name: '\u0000kube-api-access', mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
  }
  for (const mount of mounts) {
    const target = under(mount.mountPath);
    const volume = volumes.get(mount.name);
    if (!volume && mount.name !== '\u0000kube-api-access') throw new Error(`volumeMount ${mount.name} names no volume of the pod`);
    const contents = volume ? await volumeContents(volume, ctx) : await kubeApiAccess(ctx);
    dirs.push(target);
    for (const [rel, content] of contents ?? []) {
      const sub = mount.subPath ? normalize(mount.subPath) : '';
      if (!sub) files.set(join(target, rel), content);
      else if (rel === sub) files.set(target, content);
      else if (rel.startsWith(`${sub}/`)) files.set(join(target, rel.slice(sub.length + 1)), content);
    }
  }
  return { files, dirs };
}

/**
 * Writes what differs from the disk (each file through a rename, so a reader never sees half a
 * file, as the kubelet's atomic writer ensures) and returns the paths it wrote. Files are
 * private (0600): they hold keys and tokens.
 */
export async function writePodFiles(files: PodFiles): Promise<string[]> {
  for (const dir of files.dirs) await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [path, content] of files.files) {
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, path);
    written.push(path);
  }
  return written;
}
