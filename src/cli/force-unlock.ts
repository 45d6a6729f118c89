// `meshctl force-unlock ID`: remove a lock left by a crashed run. The ID must match, so a
// live run's lock is never broken by accident.
import * as path from 'node:path';
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { ExitCode } from './io.js';
import { parseForceUnlockOptions } from './options.js';

export const forceUnlockCommand: Command = {
  command: 'force-unlock <id>',
  describe: 'Remove a state lock left behind by a crashed run',
  builder: (y: Argv) =>
    y.positional('id', { type: 'string', describe: 'The lock ID the lock error printed' }).option('state', { type: 'string', default: 'meshctl.state.json', describe: 'State file' }),
  run: async (args, io, ports) => {
    const options = parseForceUnlockOptions(args);
    // Relative to the working directory, not to mesh.yaml as plan and apply look for it.
    const file = path.resolve(io.cwd, options.state);
    const state = (ports ?? (await import('./ports.js')).defaultPorts()).state;
    await state.forceUnlock(file, options.id);
    io.stdout.write(`meshctl state has been unlocked (${file}).\n`);
    return ExitCode.ok;
  },
};
