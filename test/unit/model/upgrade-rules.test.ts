// Istio's in-place version rules: one minor version per upgrade or downgrade; a downgrade warns
// that the data plane stays newer until workloads restart.
import { describe, expect, it } from 'vitest';
import { upgradeRules } from '../../../src/model/upgrade-rules.js';

const summaries = (installed: string | undefined, wanted: string) => upgradeRules(installed, wanted).map((d) => `${d.severity}: ${d.summary}`);

describe('upgradeRules', () => {
  it('says nothing on a first apply, the same version, a patch or one minor up', () => {
    expect(summaries(undefined, '1.31.0')).toEqual([]);
    expect(summaries('1.31.0', '1.31.0')).toEqual([]);
    expect(summaries('1.31.0', '1.31.2')).toEqual([]);
    expect(summaries('1.30.4', '1.31.0')).toEqual([]);
  });

  it('refuses skipping a minor in place, quoting Istio and naming the way through', () => {
    const [d] = upgradeRules('1.29.3', '1.31.0');
    expect(d?.severity).toBe('error');
    expect(d?.summary).toBe('Upgrade skips a minor version');
    expect(d?.detail).toContain('The mesh runs Istio 1.29.3 (the state records it) and mesh.yaml asks for 1.31.0: an in-place upgrade across 2 minor versions.');
    expect(d?.detail).toContain('"The installed Istio version is no more than one minor version less than the upgrade version.');
    expect(d?.hint).toBe('Upgrade to the newest 1.30 release first (istio.version: "1.30.x"), apply, then to 1.31.0.');
  });

  it('warns on a downgrade of a patch or one minor (the data plane stays newer until restarts), refuses two minors', () => {
    expect(summaries('1.31.2', '1.31.0')).toEqual(['warning: Istio downgrade']);
    const [one] = upgradeRules('1.31.0', '1.30.4');
    expect(one?.detail).toContain('the control plane goes back 1 minor version. Workloads injected by 1.31.0 keep its proxy until their pods restart');
    expect(summaries('1.31.0', '1.29.0')).toEqual(['error: Istio downgrade']);
  });
});
