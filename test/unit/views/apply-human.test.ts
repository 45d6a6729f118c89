// One human line per apply event, in the words Terraform users know.
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/executors/events.js';
import { renderEventHuman } from '../../../src/views/apply-human.js';

describe('renderEventHuman', () => {
  const cases: [ApplyEvent, string][] = [
    [{ type: 'unit-start', unit: 'cluster1/control-plane', cluster: 'cluster1' }, 'cluster1/control-plane: Applying...'],
    [{ type: 'unit-start', unit: 'cluster1/control-plane', cluster: 'cluster1', removal: true }, 'cluster1/control-plane: Destroying...'],
    [
      { type: 'object-done', unit: 'cluster1/control-plane', address: 'cluster1/Deployment.apps/istio-system/istiod', action: 'create', elapsedMs: 120 },
      'cluster1/control-plane: Created Deployment.apps/istio-system/istiod',
    ],
    [{ type: 'object-done', unit: 'cluster1/namespace', address: 'cluster1/Namespace/_/istio-system', action: 'update', elapsedMs: 5 }, 'cluster1/namespace: Updated Namespace/_/istio-system'],
    [{ type: 'object-done', unit: 'cluster1/cacerts', address: 'cluster1/Secret/istio-system/cacerts', action: 'delete', elapsedMs: 5 }, 'cluster1/cacerts: Destroyed Secret/istio-system/cacerts'],
    [
      { type: 'wait-progress', unit: 'cluster1/eastwest-gateway', what: 'LoadBalancer address of Service istio-system/istio-eastwestgateway', elapsedMs: 20_400 },
      'cluster1/eastwest-gateway: Still waiting for LoadBalancer address of Service istio-system/istio-eastwestgateway... [20s elapsed]',
    ],
    [
      { type: 'wait-done', unit: 'cluster1/control-plane', what: 'Deployment istio-system/istiod available', elapsedMs: 31_600 },
      'cluster1/control-plane: Ready: Deployment istio-system/istiod available [32s]',
    ],
    [{ type: 'unit-done', unit: 'cluster1/control-plane', elapsedMs: 45_000 }, 'cluster1/control-plane: Complete after 45s'],
    [{ type: 'unit-failed', unit: 'cluster2/control-plane', message: 'Timed out waiting' }, 'cluster2/control-plane: Failed: Timed out waiting'],
    [
      { type: 'unit-skipped', unit: 'cluster1/remote-secret/cluster2', because: 'cluster2/control-plane' },
      'cluster1/remote-secret/cluster2: Skipped (depends on cluster2/control-plane, which did not complete)',
    ],
  ];

  it.each(cases)('renders %j', (event, line) => {
    expect(renderEventHuman(event)).toBe(line);
  });

  it('has a case for every event type', () => {
    const types: ApplyEvent['type'][] = ['unit-start', 'object-done', 'wait-progress', 'wait-done', 'unit-done', 'unit-failed', 'unit-skipped'];
    expect([...new Set(cases.map(([e]) => e.type))].sort()).toEqual([...types].sort());
  });
});
