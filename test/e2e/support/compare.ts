// Object-by-object comparison of two installs on two sets of clusters (test/e2e/fidelity.test.ts):
// what each cluster holds after an install, minus what it held before, normalised so that only
// what an installer decides remains, then diffed leaf by leaf and matched against an exact
// allow-list.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Kubectl } from '../../harness/kubectl.js';

export type Obj = { apiVersion: string; kind: string; metadata: Record<string, any>; [k: string]: any };

export type { Kubectl };

export function run(binary: string, args: readonly string[], opts: { input?: string; cwd?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, [...args], { maxBuffer: 512 * 1024 * 1024, cwd: opts.cwd, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[binary, ...args].join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

// Written by controllers, the API server's allocators or the simulator standing in for them, not
// by either installer: the Deployments that own the ReplicaSets are compared, the Services whose
// cluster IPs the IPAddress objects record are compared, events/leases are bookkeeping.
const NOT_INSTALLER_OUTPUT = new Set(['events', 'events.events.k8s.io', 'leases.coordination.k8s.io', 'replicasets.apps', 'ipaddresses.networking.k8s.io', 'componentstatuses']);

export const keyOf = (o: Obj) => {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : 'core';
  return `${o.kind}.${group} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
};

/** Every object of every listable kind (fresh discovery, no kubectl cache), by key. */
export async function everything(k: Kubectl, context: string): Promise<Map<string, Obj>> {
  const cache = mkdtempSync(join(tmpdir(), 'meshctl-kubectl-cache-'));
  try {
    const base = ['--kubeconfig', k.kubeconfig, '--context', context, '--cache-dir', cache];
    const names = (await run(k.binary, [...base, 'api-resources', '--verbs=list', '-o', 'name'])).stdout
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s && !NOT_INSTALLER_OUTPUT.has(s));
    const list = JSON.parse((await run(k.binary, [...base, 'get', names.join(','), '-A', '--show-managed-fields', '-o', 'json'])).stdout) as { items: Obj[] };
    return new Map(list.items.map((o) => [keyOf(o), o]));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/** Keys of the objects an install created or changed: new since `before`, or another resourceVersion. */
export function touched(before: Map<string, Obj>, after: Map<string, Obj>): Set<string> {
  const out = new Set<string>();
  for (const [key, o] of after) {
    const was = before.get(key);
    if (!was || was.metadata.resourceVersion !== o.metadata.resourceVersion) out.add(key);
  }
  return out;
}

/** Strings that differ between sets by nature, each mapped to a name for what it is. */
export type Replacements = Map<string, string>;

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/**
 * The set-specific values: every uid, the API server URLs, ServiceAccount token Secrets' tokens
 * and CA certificates (PEM and base64), and the LoadBalancer addresses of every Service.
 */
export function replacementsFor(set: Record<string, Map<string, Obj>>, servers: Record<string, string>): Normalisation {
  const exact: Replacements = new Map();
  const within: Replacements = new Map();
  const addresses: Replacements = new Map();
  for (const [cluster, objects] of Object.entries(set))
    for (const [key, o] of objects) {
      if (o.metadata.uid) exact.set(o.metadata.uid, `<uid of ${key}>`);
      if (o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token' && o.data) {
        if (o.data.token) within.set(b64(o.data.token), `<token of ${cluster}:${key}>`);
        if (o.data['ca.crt']) {
          within.set(o.data['ca.crt'], `<base64 CA of ${cluster}>`);
          within.set(b64(o.data['ca.crt']), `<PEM CA of ${cluster}>`);
        }
      }
      if (o.kind === 'Secret' && o.metadata.name === 'cacerts' && o.data?.['root-cert.pem']) {
        // One root for both sets (set B's cacerts are made from set A's files), but a new one each
        // run: named so that what embeds it (webhook caBundles istioctl copied) compares across runs.
        within.set(o.data['root-cert.pem'], '<mesh root CA, base64>');
        within.set(b64(o.data['root-cert.pem']), '<mesh root CA, PEM>');
      }
      if (o.kind === 'Service') {
        for (const ing of o.status?.loadBalancer?.ingress ?? []) if (ing.ip) addresses.set(ing.ip, `<LoadBalancer address of ${cluster}:${key}>`);
      }
    }
  for (const [name, url] of Object.entries(servers)) within.set(url, `<API server of ${name}>`);
  return { exact, within, addresses };
}

export interface Normalisation {
  /** Whole strings (uids). */
  readonly exact: Replacements;
  /** Substrings (tokens, CA data, API server URLs). */
  readonly within: Replacements;
  /** IPv4 addresses, wherever they stand as a whole address. */
  readonly addresses: Replacements;
}

/** `v` with every set-specific string named. */
export function replaceStrings(v: unknown, r: Normalisation): unknown {
  if (typeof v === 'string') {
    if (r.exact.has(v)) return r.exact.get(v);
    let s = v;
    for (const [from, to] of r.within) if (s.includes(from)) s = s.split(from).join(to);
    for (const [ip, to] of r.addresses) s = s.replace(new RegExp(`(?<![\\d.])${ip.replace(/\./g, '\\.')}(?![\\d.])`, 'g'), to);
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => replaceStrings(x, r));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceStrings(x, r)]));
  return v;
}

/**
 * What an installer decided, without what the API server, the controllers or the set decide:
 * server-set metadata dropped, status dropped, managedFields reduced to "manager operation
 * [subresource]" (who wrote, not when), allocated cluster IPs and node ports named, Secret data
 * decoded (so the set-specific strings inside can be named), then every set-specific string named.
 */
export function normalise(o: Obj, r: Normalisation): Obj {
  const c = structuredClone(o);
  const m = c.metadata;
  for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'selfLink']) delete m[f];
  if (m.managedFields) {
    m.managedFields = (m.managedFields as { manager: string; operation: string; subresource?: string }[]).map((f) => `${f.manager} ${f.operation}${f.subresource ? ` ${f.subresource}` : ''}`).sort();
  }
  delete c.status;
  if (c.kind === 'Service' && c.spec) {
    if (c.spec.clusterIP && c.spec.clusterIP !== 'None') c.spec.clusterIP = '<allocated>';
    if (c.spec.clusterIPs) c.spec.clusterIPs = c.spec.clusterIPs.map((ip: string) => (ip === 'None' ? ip : '<allocated>'));
    for (const p of c.spec.ports ?? []) if (p.nodePort) p.nodePort = '<allocated>';
    if (c.spec.healthCheckNodePort) c.spec.healthCheckNodePort = '<allocated>';
  }
  if (c.kind === 'Secret' && c.data) c.data = Object.fromEntries(Object.entries(c.data as Record<string, string>).map(([k, v]) => [k, { decoded: b64(v) }]));
  // JSON documents kept in strings (ConfigMap data, kubectl's last-applied annotation) compared
  // field by field, so a difference names the field.
  if (c.kind === 'ConfigMap' && c.data) c.data = Object.fromEntries(Object.entries(c.data as Record<string, string>).map(([k, v]) => [k, asJson(v)]));
  // A running istiod's leader-election records (holder, acquire and renew times) are state of
  // that run, not of the install: which pod holds a lock, and since when, differs every time.
  if (m.annotations) delete m.annotations['control-plane.alpha.kubernetes.io/leader'];
  if (m.annotations && Object.keys(m.annotations).length === 0) delete m.annotations;
  if (m.annotations) m.annotations = Object.fromEntries(Object.entries(m.annotations as Record<string, string>).map(([k, v]) => [k, asJson(v)]));
  return replaceStrings(c, r) as Obj;
}

function asJson(s: string): unknown {
  if (!s.trimStart().startsWith('{')) return s;
  try {
    return { json: JSON.parse(s) };
  } catch {
    return s;
  }
}

export const ABSENT = Symbol('absent');
export type Value = unknown | typeof ABSENT;

export interface Difference {
  readonly cluster: string;
  readonly object: string;
  /** '' for the object itself; otherwise a JS-like path, e.g. metadata.labels["a/b"], spec.ports[0]. */
  readonly path: string;
  readonly meshctl: Value;
  readonly guide: Value;
}

const seg = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

/** Leaf differences; arrays of scalars and arrays of different lengths are leaves. */
export function diff(cluster: string, object: string, a: Value, b: Value, path = ''): Difference[] {
  if (isDeepStrictEqual(a, b)) return [];
  const isObj = (v: Value): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diff(cluster, object, k in a ? a[k] : ABSENT, k in b ? b[k] : ABSENT, `${path}${seg(k)}`.replace(/^\./, '')));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.some((x) => x && typeof x === 'object')) {
    return a.flatMap((x, i) => diff(cluster, object, x, b[i], `${path}[${i}]`));
  }
  return [{ cluster, object, path, meshctl: a, guide: b }];
}

/** The two versions of one object, raw (as listed), for allow-list rules that select objects. */
export interface Pair {
  readonly cluster: string;
  readonly key: string;
  readonly meshctl?: Obj;
  readonly guide?: Obj;
}

export interface ValueRule {
  /** In words, for docs/fidelity.md. */
  readonly rule: string;
  /** True when the two values are exactly what the rule says. */
  readonly check: (meshctl: Value, guide: Value) => boolean;
}

export interface Allowed {
  /** Row id in docs/fidelity.md. */
  readonly id: string;
  readonly clusters: readonly ('cluster1' | 'cluster2')[];
  /** Exact object keys, or a rule over both versions of the object. */
  readonly objects: readonly string[] | { readonly rule: string; readonly test: (p: Pair) => boolean };
  readonly path: string;
  /** The exact values in set A and set B (ABSENT when the path or object does not exist there)... */
  readonly meshctl?: Value;
  readonly guide?: Value;
  /** ...or, where they vary per object, the exact relation between them. */
  readonly values?: ValueRule;
}

export function sameValue(x: Value, y: Value): boolean {
  return x === y || (x !== ABSENT && y !== ABSENT && isDeepStrictEqual(x, y));
}

export function matches(d: Difference, a: Allowed, pair: Pair): boolean {
  if (!(a.clusters as readonly string[]).includes(d.cluster) || d.path !== a.path) return false;
  const objects = a.objects;
  if (isKeyList(objects) ? !objects.includes(d.object) : !objects.test(pair)) return false;
  if (a.values) return a.values.check(d.meshctl, d.guide);
  return sameValue(d.meshctl, a.meshctl) && sameValue(d.guide, a.guide);
}

function isKeyList(o: Allowed['objects']): o is readonly string[] {
  return Array.isArray(o);
}

export const show = (v: Value) => (v === ABSENT ? '(absent)' : JSON.stringify(v));
export const describe = (d: Difference) => `${d.cluster} ${d.object} ${d.path || '(object)'}: meshctl ${show(d.meshctl)} | guide ${show(d.guide)}`;
