// The two Istio versions tools/bins/build.sh builds: the pinned one, and one earlier beside it
// (istioctl-<v>, pilot-discovery-<v>), for the upgrade tests.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { binPath } from '../../harness/e2e.js';

/** The pinned Istio, the one examples/ name. */
export const PINNED_ISTIO = '1.31.0';

/** The earlier Istio the bin directory holds (istioctl-<v> beside the pinned istioctl). */
export function previousIstio(): string {
  const dir = dirname(binPath('istioctl'));
  const versions = readdirSync(dir)
    .map((f) => /^istioctl-(\d+\.\d+\.\d+\S*)$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined && v !== PINNED_ISTIO);
  if (versions.length !== 1) throw new Error(`expected one earlier istioctl-<version> in ${dir} (tools/bins/build.sh builds it), found: ${versions.join(', ') || 'none'}`);
  return versions[0]!;
}
