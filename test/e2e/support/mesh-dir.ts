// The start of most e2e files: a built CLI, clusters without Istio, and a working directory of
// its own holding one example mesh.yaml, as a user starts from a fresh checkout of their config.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eKubectl } from '../../harness/e2e.js';
import { resetClusters } from '../../harness/reset.js';
import { ensureBuilt } from './meshctl.js';

export async function freshMeshDir(o: { prefix: string; mesh: string; clusters: readonly string[] }): Promise<string> {
  ensureBuilt();
  await resetClusters(e2eKubectl(), o.clusters);
  const dir = mkdtempSync(join(tmpdir(), `meshctl-${o.prefix}-`));
  copyFileSync(o.mesh, join(dir, 'mesh.yaml'));
  return dir;
}
