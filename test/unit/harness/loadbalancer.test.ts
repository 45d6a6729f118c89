// The simulated load balancers' addresses: documentation ranges only, never one this machine
// is on (a sandbox may sit in 192.0.2.0/24 with its gateway at 192.0.2.1).
import { describe, expect, it } from 'vitest';
import { loadBalancerBlock, usableDocRanges } from '../../harness/simulator/loadbalancer.js';

const iface = (address: string) => ({ address, netmask: '255.255.255.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/24` });

describe('simulated LoadBalancer addresses', () => {
  it('leaves out a documentation range this machine has an address in', () => {
    expect(usableDocRanges({ lo: [{ ...iface('127.0.0.1'), internal: true }], eth0: [iface('192.0.2.2')] })).toEqual(['198.51.100', '203.0.113']);
    expect(usableDocRanges({ eth0: [iface('10.0.0.5')] })).toEqual(['192.0.2', '198.51.100', '203.0.113']);
  });

  it('gives sixteen clusters distinct blocks from the ranges left, none on the machine', () => {
    const ranges = ['198.51.100', '203.0.113'];
    const blocks = Array.from({ length: 16 }, (_, i) => loadBalancerBlock(i, 16, ranges));
    const hosts = blocks.flatMap((b) => b.hosts);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts.every((h) => h.startsWith('198.51.100.') || h.startsWith('203.0.113.'))).toBe(true);
    expect(() => loadBalancerBlock(0, 33, ranges)).toThrow(/At most 32 clusters/);
  });
});
