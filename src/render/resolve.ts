// Turning a model unit into the objects that are sent: Unknown markers replaced by the
// outputs known by now, IstioOperators rendered with istioctl, the remote-secret kubeconfig
// assembled. What is still unknown stays a marker (plan shows "(known after apply)").
import { assertNever, isUnknown, type Unit, type Unknown } from '../model/desired.js';
import { renderRemoteKubeconfig } from '../model/remote-kubeconfig.js';
import type { KubeObject } from '../kube/object.js';
import type { OutputValues } from './outputs.js';
import { withInstallExtras } from './install-extras.js';
import { isRevisionTagObject } from '../model/revision-tags.js';

export interface ResolveContext {
  readonly outputs: OutputValues;
  /** Renders an IstioOperator (istioctl manifest generate). */
  readonly render: (iop: NonNullable<Unit['istioOperator']>) => Promise<KubeObject[]>;
  /** The API server URL of a cluster's kubeconfig context. */
  readonly serverOf: (cluster: string) => string;
  /**
   * Only which objects exist is wanted (a plan's first pass, to know what to list): rendered
   * objects may then keep the placeholder address instead of an Unknown marker, which saves a
   * walk over every rendered object (mostly CRDs).
   */
  readonly refsOnly?: boolean;
}

/**
 * Stands in for an address that is not known yet while istioctl renders: from 240.0.0.0/4,
 * reserved and never routed, so it cannot be mistaken for a real one; every string holding
 * it is turned back into an Unknown marker after rendering. Nothing ever connects to it.
 */
export const PLACEHOLDER_ADDRESS = '240.0.0.1';

function lookup(m: Unknown, outputs: OutputValues, key?: string): string | undefined {
  const o = outputs.get(m.$unknown.unit);
  if (!o) return undefined;
  switch (m.$unknown.output) {
    case 'address':
      return o.address;
    case 'token':
      return o.token;
    case 'caData':
      return o.caData;
    case 'cacerts':
      return key !== undefined ? o.cacerts?.[key] : undefined;
  }
}

/** Deep copy with every resolvable marker replaced. `key` is the map key a value sits under. */
export function substitute<T>(v: T, outputs: OutputValues, key?: string): T {
  if (isUnknown(v)) return (lookup(v, outputs, key) ?? v) as T;
  if (Array.isArray(v)) return v.map((x) => substitute(x, outputs)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, outputs, k)])) as T;
  return v;
}

/**
 * Copy-on-write: only the objects on a path to a placeholder are copied. A remote's rendering
 * is mostly CRDs without one, and copying all of it on every plan would be a visible share of
 * the plan's time; the rendered objects are never mutated, so sharing them is safe.
 */
function replacePlaceholder<T>(v: T, marker: Unknown): T {
  if (typeof v === 'string') return (v.includes(PLACEHOLDER_ADDRESS) ? marker : v) as T;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = replacePlaceholder(v[i], marker);
      if (x !== v[i]) (out ??= [...v])[i] = x;
    }
    return (out ?? v) as T;
  }
  if (v && typeof v === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const y = replacePlaceholder(x, marker);
      if (y !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
    }
    return (out ?? v) as T;
  }
  return v;
}

function firstUnknown(v: unknown): Unknown | undefined {
  if (isUnknown(v)) return v;
  if (Array.isArray(v)) return v.map(firstUnknown).find(Boolean);
  if (v && typeof v === 'object') return Object.values(v).map(firstUnknown).find(Boolean);
  return undefined;
}

/** The objects of one unit, as far as they can be known now. Secret values are real here. */
export async function resolveUnit(unit: Unit, ctx: ResolveContext): Promise<KubeObject[]> {
  let objects = unit.objects.map((o) => substitute(o, ctx.outputs));
  if (unit.istioOperator) {
    const iop = withInstallExtras(substitute(unit.istioOperator, ctx.outputs));
    const pending = firstUnknown(iop);
    if (pending) {
      // Only an address can be pending in an IstioOperator (remotePilotAddress).
      const rendered = partOf(await ctx.render(substituteAll(iop, PLACEHOLDER_ADDRESS)), unit.renderPart);
      objects = [...objects, ...(ctx.refsOnly ? rendered : rendered.map((o) => replacePlaceholder(o, pending)))];
    } else {
      objects = [...objects, ...partOf(await ctx.render(iop), unit.renderPart)];
    }
  }
  if (unit.remoteKubeconfig) objects = objects.map((o) => withKubeconfig(o, unit, ctx));
  return objects;
}

function partOf(rendered: KubeObject[], part: Unit['renderPart']): KubeObject[] {
  switch (part) {
    case undefined:
      return rendered;
    case 'crds':
      return rendered.filter((o) => o.kind === 'CustomResourceDefinition');
    case 'all-but-crds':
      return rendered.filter((o) => o.kind !== 'CustomResourceDefinition' && !isRevisionTagObject(o));
    case 'revision-tags':
      return rendered.filter(isRevisionTagObject);
    default:
      return assertNever(part, 'render part');
  }
}

function substituteAll<T>(v: T, value: string): T {
  if (isUnknown(v)) return value as T;
  if (Array.isArray(v)) return v.map((x) => substituteAll(x, value)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituteAll(x, value)])) as T;
  return v;
}

function withKubeconfig(o: KubeObject, unit: Unit, ctx: ResolveContext): KubeObject {
  const t = unit.remoteKubeconfig!;
  if (o.kind !== 'Secret') return o;
  const token = lookup(t.token, ctx.outputs);
  const ca = lookup(t.certificateAuthorityData, ctx.outputs);
  if (token === undefined || ca === undefined) return o;
  const server = t.server.kind === 'url' ? t.server.url : ctx.serverOf(t.server.cluster);
  const text = renderRemoteKubeconfig({ clusterName: t.clusterName, server, certificateAuthorityData: ca, token });
  const data = { ...(o.data as Record<string, unknown>), [t.dataKey]: Buffer.from(text).toString('base64') };
  return { ...o, data };
}
