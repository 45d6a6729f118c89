// `meshctl apply`: plan, confirm, and carry out the plan in dependency order.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { commonOptions, lockOptions } from './options.js';

export const applyCommand: Command = {
  command: 'apply',
  describe: 'Make the clusters match mesh.yaml (shows the plan and asks first)',
  builder: (y: Argv) => lockOptions(commonOptions(y)).option('auto-approve', { type: 'boolean', default: false, describe: 'Skip the approval prompt' }),
  run: async (args, io) => (await import('./run-apply.js')).runApply(args, io, 'apply'),
};
