// `meshctl destroy`: take down what meshctl made, in reverse order; objects it found in
// place only lose the fields meshctl set.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { commonOptions, planningOptions, lockOptions } from './options.js';

export const destroyCommand: Command = {
  command: 'destroy',
  changes: () => true,
  describe: 'Remove everything meshctl made, in reverse dependency order',
  builder: (y: Argv) =>
    lockOptions(planningOptions(commonOptions(y)))
      .option('auto-approve', { type: 'boolean', default: false, describe: 'Skip the approval prompt' })
      .option('json', { type: 'boolean', default: false, describe: 'Stream progress as one JSON object per line (needs --auto-approve)' }),
  run: async (args, io, ports) => (await import('./apply-handler.js')).runApply(args, io, { mode: 'destroy', ports }),
};
