// `meshctl state rm ADDRESS...`: forget objects, or units with their objects, without touching
// any cluster (Terraform's `state rm`). Under the lock: read, refuse any name the state does
// not hold (changing nothing), save the state as it was to a backup file, then one
// compare-and-swap write through the backend (serial + 1). --dry-run reads without the lock,
// as plan does, and writes nothing.
import { meshctlVersion } from '../version.js';
import { removalText } from '../views/state-rm.js';
import { ExitCode, type CliIO } from './io.js';
import type { StateRmOptions } from './options.js';
import type { Ports } from './ports.js';
import type { Config } from './session.js';
import { removalOf, withoutRemoved } from './state-addresses.js';
import { writeStateBackup } from './state-backup.js';
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
    const backup = await writeStateBackup(state, { file: options.file, backup: options.backup, cwd: io.cwd, now: ctx.ports.now() });
    const stored = await config.state.write({ ...withoutRemoved(state, removal), meshctlVersion });
    io.stdout.write(removalText({ header: headerOf(config, state), ...removal, done: { serial: stored.serial, backup } }));
    return ExitCode.ok;
  });
}
