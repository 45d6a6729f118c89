// The state as it was before `state rm` or `state mv` changed it: to --backup PATH (replaced
// if it exists: it was asked for) or to meshctl.state.<UTC time>.backup.json beside mesh.yaml
// (never over an earlier backup: -2, -3…). `state push --force FILE` puts it back.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fail } from '../diagnostics.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { serializeState } from '../state/read.js';
import type { MeshState } from '../state/state.js';

export async function writeStateBackup(state: MeshState, o: { file: string; backup?: string; cwd: string; now: Date }): Promise<string> {
  const file = o.backup !== undefined ? path.resolve(o.cwd, o.backup) : freshBackupPath(path.dirname(path.resolve(o.cwd, o.file)), o.now);
  try {
    await writeFileAtomic(file, serializeState(state), { mode: 0o600, fsync: true });
  } catch (e) {
    fail('Cannot write the state backup', `${file}: ${(e as Error).message}. The state was not changed.`, { hint: '--backup PATH saves the backup elsewhere.' });
  }
  return file;
}

function freshBackupPath(dir: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  for (let i = 1; ; i++) {
    const file = path.join(dir, `meshctl.state.${stamp}${i === 1 ? '' : `-${i}`}.backup.json`);
    if (!existsSync(file)) return file;
  }
}
