// Effect `loadBalancer`, in place of a cloud load-balancer controller: Services of type
// LoadBalancer (without a loadBalancerClass) get status.loadBalancer.ingress[0].ip from a
// per-cluster block of the documentation ranges 192.0.2.0/24, 198.51.100.0/24 and
// 203.0.113.0/24 (RFC 5737). Nothing is ever sent to those addresses.
import { networkInterfaces } from 'node:os';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { EffectOn, Emit } from './effects.js';

const DOC_RANGES = ['192.0.2', '198.51.100', '203.0.113'];

/**
 * The documentation /24s this machine is not itself on: a sandbox may put its own interface
 * (and default gateway) in one of them, and an address handed to a simulated load balancer must
 * never be one that something here could reach.
 */
export function usableDocRanges(interfaces = networkInterfaces()): string[] {
  const local = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4')
    .map((a) => a.address.split('.').slice(0, 3).join('.'));
  return DOC_RANGES.filter((r) => !local.includes(r));
}

export interface LoadBalancerBlock {
  /** e.g. "192.0.2.0/24" */
  cidr: string;
  hosts: string[];
}

/**
 * The documentation-range block of cluster `index` (0-based) in a set of `count`: the usable
 * /24s (usableDocRanges) split into equal power-of-two blocks, as large as `count` allows (one
 * cluster per /24 while they last, at most 16 per /24, a /28 each).
 */
export function loadBalancerBlock(index: number, count: number, ranges: readonly string[] = usableDocRanges()): LoadBalancerBlock {
  const most = ranges.length * 16;
  if (count > most) throw new Error(`At most ${most} clusters get distinct LoadBalancer blocks here (${ranges.length} documentation ranges not on this machine), asked for ${count}`);
  let perRange = 1;
  while (perRange * ranges.length < count) perRange *= 2;
  const size = 256 / perRange;
  const prefix = ranges[Math.floor(index / perRange)];
  const base = (index % perRange) * size;
  const hosts = Array.from({ length: size - 2 }, (_, i) => `${prefix}.${base + 1 + i}`);
  return { cidr: `${prefix}.${base}/${32 - Math.log2(size)}`, hosts };
}

/** Gives every LoadBalancer Service without an address the first free one of `block`. */
export async function assignLoadBalancerAddresses(core: CoreV1Api, block: LoadBalancerBlock, on: EffectOn, emit: Emit): Promise<void> {
  const services = (await core.listServiceForAllNamespaces()).items;
  const used = new Set(services.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip)));
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? '';
    if (svc.spec?.type !== 'LoadBalancer' || svc.spec.loadBalancerClass || !on('loadBalancer', ns)) continue;
    if (svc.status?.loadBalancer?.ingress?.length) continue;
    const ip = block.hosts.find((h) => !used.has(h));
    if (!ip) {
      emit('loadBalancer', `no free address left in ${block.cidr} for ${ns}/${svc.metadata?.name}`, true);
      return;
    }
    used.add(ip);
    svc.status = { ...svc.status, loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
    await core.replaceNamespacedServiceStatus({ name: svc.metadata!.name!, namespace: ns, body: svc });
    emit('loadBalancer', `Service ${ns}/${svc.metadata?.name} got ${ip}`);
  }
}
