// Values units hand to later units (Terraform's "known after apply"), read from the live
// clusters. At plan time they come from what is already there; during apply, the executor
// reads them again right after the producing unit's waits are satisfied.
import type { Desired, Unit } from '../model/desired.js';
import { loadBalancerAddress, objectAddress, type KubeObject, type ObjectRef } from '../kube/object.js';

export interface UnitOutputs {
  /** East-west gateway LoadBalancer IP or hostname. */
  address?: string;
  /** Reader ServiceAccount token, decoded. Sensitive: memory only. */
  token?: string;
  /** base64 CA bundle from the token Secret. */
  caData?: string;
  /** cacerts Secret data (base64 per key). Sensitive: memory only. */
  cacerts?: Readonly<Record<string, string>>;
}

export type OutputValues = Map<string, UnitOutputs>;

export function tokenOf(secret: KubeObject | undefined): { token?: string; caData?: string } {
  const data = (secret as { data?: Record<string, string> } | undefined)?.data;
  if (!data?.token) return {};
  return { token: Buffer.from(data.token, 'base64').toString('utf8'), caData: data['ca.crt'] };
}

/** A live object one of a unit's outputs is read from, and which output it gives. */
export interface OutputSource {
  readonly cluster: string;
  readonly ref: ObjectRef;
  readonly gives: 'address' | 'token';
}

/** The objects a unit's outputs are read from: the objects its output-producing waits watch. */
export function outputSources(unit: Unit): OutputSource[] {
  return unit.waits.flatMap((w): OutputSource[] => {
    const cluster = w.cluster ?? unit.cluster;
    if (w.kind === 'loadbalancer-address') return [{ cluster, ref: { apiVersion: 'v1', kind: 'Service', namespace: w.namespace, name: w.name }, gives: 'address' }];
    if (w.kind === 'token-populated') return [{ cluster, ref: { apiVersion: 'v1', kind: 'Secret', namespace: w.namespace, name: w.name }, gives: 'token' }];
    return [];
  });
}

/** Reads one unit's outputs from live objects (by address). */
export function outputsOfUnit(unit: Unit, live: ReadonlyMap<string, KubeObject>): UnitOutputs {
  const out: UnitOutputs = {};
  for (const s of outputSources(unit)) {
    const obj = live.get(objectAddress(s.cluster, s.ref));
    if (s.gives === 'token') Object.assign(out, tokenOf(obj));
    else {
      const a = loadBalancerAddress(obj);
      if (a) out.address = a;
    }
  }
  return out;
}

export function outputsFromLive(desired: Desired, live: ReadonlyMap<string, KubeObject>): OutputValues {
  return new Map(desired.units.map((u) => [u.id, outputsOfUnit(u, live)]));
}
