// The `apply --json` stream: one JSON object per line, Terraform-style common keys, and the
// documented mapping from ApplyEvent to message type.
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/executors/events.js';
import { error } from '../../../src/diagnostics.js';
import { changeSummaryJsonLine, diagnosticJsonLine, eventToJsonLine, planSummaryJsonLine, plannedChangeJsonLines, versionJsonLine } from '../../../src/views/events-json.js';
import { createdAt, deletionsPlan, noChangesPlan, updatesPlan } from './fixtures.js';
import { expectGoldenText } from './golden.js';

const timestamp = '2025-03-04T05:10:00.000Z';

const events: ApplyEvent[] = [
  { type: 'unit-start', unit: 'cluster1/control-plane', cluster: 'cluster1' },
  { type: 'object-done', unit: 'cluster1/control-plane', address: 'cluster1/ConfigMap/istio-system/istio', action: 'update', elapsedMs: 412 },
  { type: 'wait-progress', unit: 'cluster1/control-plane', what: 'deployment istio-system/istiod available', elapsedMs: 10_200 },
  { type: 'wait-done', unit: 'cluster1/control-plane', what: 'deployment istio-system/istiod available', elapsedMs: 14_800 },
  { type: 'unit-done', unit: 'cluster1/control-plane', elapsedMs: 15_100 },
  { type: 'unit-failed', unit: 'cluster1/eastwest-gateway', message: 'timed out after 300s waiting for a LoadBalancer address' },
  { type: 'unit-skipped', unit: 'cluster1/expose-istiod', because: 'cluster1/eastwest-gateway' },
];

const expectedType: Record<ApplyEvent['type'], [string, string]> = {
  'unit-start': ['apply_start', 'info'],
  'object-done': ['apply_progress', 'info'],
  'wait-progress': ['wait_progress', 'info'],
  'wait-done': ['wait_complete', 'info'],
  'unit-done': ['apply_complete', 'info'],
  'unit-failed': ['apply_errored', 'error'],
  'unit-skipped': ['apply_skipped', 'warn'],
};

describe('eventToJsonLine', () => {
  it.each(events)('$type: one line of JSON with the common keys first', (e) => {
    const line = eventToJsonLine(e, { timestamp });
    expect(line).not.toContain('\n');
    const o = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(o).slice(0, 5)).toEqual(['@level', '@message', '@module', '@timestamp', 'type']);
    expect([o['type'], o['@level']]).toEqual(expectedType[e.type]);
    expect(o['@timestamp']).toBe(timestamp);
    expect(o['@module']).toBe('meshctl.ui');
    expect((o['hook'] as { unit: string }).unit).toBe(e.unit);
  });

  it('matches the golden stream of a whole apply', () => {
    const lines = [
      versionJsonLine({ timestamp, meshctlVersion: '0.1.0' }),
      ...plannedChangeJsonLines(updatesPlan()),
      planSummaryJsonLine(updatesPlan()),
      ...events.map((e) => eventToJsonLine(e, { timestamp })),
      diagnosticJsonLine(error('Unit failed', 'cluster1/eastwest-gateway did not get an address.'), { timestamp }),
      changeSummaryJsonLine({ add: 0, change: 1, destroy: 0, forget: 0 }, { timestamp, operation: 'apply' }),
    ];
    expectGoldenText('apply.events.jsonl', `${lines.join('\n')}\n`);
  });

  it('reports elapsed time in whole seconds and the human message', () => {
    const o = JSON.parse(eventToJsonLine(events[2]!, { timestamp })) as { '@message': string; hook: { elapsed_seconds: number } };
    expect(o.hook.elapsed_seconds).toBe(10);
    expect(o['@message']).toBe('cluster1/control-plane: Still waiting for deployment istio-system/istiod available... [10s elapsed]');
  });
});

describe('summary and planned_change lines', () => {
  it('planSummaryJsonLine carries the plan counts, stamped with the plan time by default', () => {
    expect(JSON.parse(planSummaryJsonLine(deletionsPlan()))).toEqual({
      '@level': 'info',
      '@message': 'Plan: 0 to add, 0 to change, 3 to destroy, 1 to forget.',
      '@module': 'meshctl.ui',
      '@timestamp': createdAt,
      type: 'change_summary',
      changes: { add: 0, change: 0, remove: 3, forget: 1, operation: 'plan' },
    });
    expect(JSON.parse(planSummaryJsonLine(deletionsPlan(), { timestamp }))['@timestamp']).toBe(timestamp);
  });

  it('destroy summaries use Terraform words', () => {
    expect(JSON.parse(changeSummaryJsonLine({ add: 0, change: 0, destroy: 4, forget: 0 }, { timestamp, operation: 'destroy' }))['@message']).toBe(
      'Destroy complete! Resources: 4 destroyed, 0 released.',
    );
  });

  it('plannedChangeJsonLines has one line per object with an action, none for no-ops', () => {
    expect(plannedChangeJsonLines(noChangesPlan())).toEqual([]);
    const lines = plannedChangeJsonLines(deletionsPlan()).map((l) => JSON.parse(l) as { change: { action: string; resource: { addr: string } } });
    expect(lines.map((l) => `${l.change.action} ${l.change.resource.addr}`)).toEqual([
      'delete cluster2/ConfigMap/istio-system/istio-remote-pilot',
      'delete cluster1/Secret/istio-system/istio-remote-secret-cluster2',
      'delete cluster2/Secret/istio-system/istio-reader-service-account-istio-remote-secret-token',
      'forget cluster2/Namespace/_/istio-system',
    ]);
  });

  it('diagnostics keep every field and map severity to level', () => {
    const o = JSON.parse(diagnosticJsonLine({ severity: 'warning', summary: 'S', detail: 'D.', path: 'clusters.a' }, { timestamp }));
    expect(o['@level']).toBe('warn');
    expect(o['@message']).toBe('Warning: S');
    expect(o.diagnostic).toEqual({ severity: 'warning', summary: 'S', detail: 'D.', path: 'clusters.a' });
  });
});
