// `meshctl plan`: compare mesh.yaml with the live clusters and the state, print what apply
// would do. Changes nothing anywhere.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { commonOptions, planningOptions, formatOptions } from './options.js';

export const planCommand: Command = {
  command: 'plan',
  describe: 'Show what apply would change in the clusters (changes nothing)',
  builder: (y: Argv) =>
    planningOptions(commonOptions(y))
      .options(formatOptions)
      .option('out', { type: 'string', describe: 'Save the plan to this file; `meshctl apply FILE` applies exactly it' })
      .option('destroy', { type: 'boolean', default: false, describe: 'Plan a destroy instead' })
      .option('refresh-only', { type: 'boolean', default: false, describe: 'Only report drift: changes made in the clusters outside meshctl since the last apply' })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: 'Exit 0 when there are no changes, 1 on error, 2 when changes are present',
      })
      .epilog('Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present (only with --detailed-exitcode).'),
  run: async (args, io, ports) => (await import('./plan-handler.js')).runPlan(args, io, ports),
};
