// `meshctl force-unlock ID`: remove a lock left by a crashed run. The ID must match, so a
// live run's lock is never broken by accident.
import * as path from 'node:path';
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { ExitCode } from './io.js';

export const forceUnlockCommand: Command = {
  command: 'force-unlock <id>',
  describe: 'Remove a state lock left behind by a crashed run',
  builder: (y: Argv) =>
    y
      .positional('id', { type: 'string', describe: 'The lock ID the lock error printed' })
      .option('state', { type: 'string', default: 'meshctl.state.json', describe: 'State file' }),
  run: async (args, io) => {
    const file = path.resolve(io.cwd, String(args['state']));
    const { forceUnlock } = await import('../state/local-file.js');
    await forceUnlock(file, String(args['id']));
    io.stdout.write(`meshctl state has been unlocked (${file}).\n`);
    return ExitCode.ok;
  },
};
