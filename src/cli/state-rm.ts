// `meshctl state rm ADDRESS...`: forget objects, or units with their objects, without touching
// any cluster (Terraform's `state rm`). Under the lock: read, refuse any name the state does
// not hold (changing nothing), save the state as it was to a backup file, then one
// compare-and-swap write through the backend (serial + 1). --dry-run reads without the lock,
// as plan does, and writes nothing.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fail } from '../diagnostics.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { serializeState } from '../state/read.js';
import type { MeshState } from '../state/state.js';
import { meshctlVersion } from '../version.js';
import { removalText } from '../views/state-rm.js';
import { ExitCode, type CliIO } from './io.js';
import type { StateRmOptions } from './options.js';
import type { Ports } from './ports.js';
import type { Config } from './session.js';
import { removalOf, withoutRemoved } from './state-addresses.js';
import { existingState, headerOf, withStateLock } from './state-session.js';

export async function runStateRm(config: Config, options: StateRmOptions, ctx: { io: CliIO; ports: Ports }): Promise<number> {
  const { io } = ctx;
  if (options.dryRun) {
    const state = await existingState(config);
    const removal = removalOf(state, options.addresses, config.state.where);
    io.stdout.write(removalText({ header: headerOf(config, state), ...removal }));
    return ExitCode.ok;
  }
  return withStateLock(config, { operation: 'state rm', timeoutMs: options.lockTimeoutMs, io }, async () => {
    const state = await existingState(config);
    const removal = removalOf(state, options.addresses, config.state.where);
    const backup = await writeBackup(state, { options, cwd: io.cwd, now: ctx.ports.now() });
    const stored = await config.state.write({ ...withoutRemoved(state, removal), meshctlVersion });
    io.stdout.write(removalText({ header: headerOf(config, state), ...removal, done: { serial: stored.serial, backup } }));
    return ExitCode.ok;
  });
}

/**
 * The state as it was, to --backup PATH (replaced if it exists: it was asked for) or to
 * meshctl.state.<UTC time>.backup.json beside mesh.yaml (never over an earlier backup: -2, -3…).
 */
async function writeBackup(state: MeshState, o: { options: StateRmOptions; cwd: string; now: Date }): Promise<string> {
  const file = o.options.backup !== undefined ? path.resolve(o.cwd, o.options.backup) : freshBackupPath(path.dirname(path.resolve(o.cwd, o.options.file)), o.now);
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
