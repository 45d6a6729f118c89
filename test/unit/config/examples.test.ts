// Every example under examples/ validates, with only the warnings its model is known for.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/config/load.js';

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const dirs = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const expectedWarnings: Record<string, string[]> = {
  'external-control-plane': ['Not supported by apply yet'],
  'ambient-multi-network': ['Not supported by apply yet'],
};

describe('examples', () => {
  it('covers every model', () => {
    expect(dirs).toEqual([
      'ambient-multi-network',
      'external-control-plane',
      'kubernetes-state',
      'multi-primary',
      'multi-primary-multi-network',
      'multi-primary-with-remotes',
      'primary-remote',
      'primary-remote-multi-network',
    ]);
  });

  it.each(dirs)('%s/mesh.yaml is valid', (dir) => {
    const result = loadTopology(`${dir}/mesh.yaml`, { cwd: examplesDir });
    expect(result.diagnostics.map((d) => d.summary)).toEqual(expectedWarnings[dir] ?? []);
    expect(result.topology).toBeDefined();
    for (const c of result.topology!.clusters) expect(c.context).toMatch(/^cluster\d+$/);
  });

  it('the team example keeps the state in cluster1, namespace meshctl-system', () => {
    const t = loadTopology('kubernetes-state/mesh.yaml', { cwd: examplesDir }).topology!;
    expect(t.state).toEqual({ backend: 'kubernetes', context: 'cluster1', namespace: 'meshctl-system', leaseDurationSeconds: 60 });
  });

  it('the guide example maps to the guide: cluster1 primary on network1, cluster2 remote on network2', () => {
    const t = loadTopology('primary-remote-multi-network/mesh.yaml', { cwd: examplesDir }).topology!;
    expect(t.clusters.map((c) => [c.name, c.role, c.network, c.controlPlane, c.eastWestGateway.enabled])).toEqual([
      ['cluster1', 'primary', 'network1', undefined, true],
      ['cluster2', 'remote', 'network2', 'cluster1', true],
    ]);
  });
});
