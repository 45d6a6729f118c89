// `meshctl apply [PLANFILE]`: plan, confirm, and carry out the plan in dependency order; or
// apply a saved plan exactly, refusing if anything it relied on has changed.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { commonOptions, planningOptions, lockOptions } from './options.js';

export const applyCommand: Command = {
  command: 'apply [planfile]',
  changes: () => true,
  describe: 'Make the clusters match mesh.yaml (shows the plan and asks first), or apply a saved plan',
  builder: (y: Argv) =>
    lockOptions(planningOptions(commonOptions(y)))
      .positional('planfile', { type: 'string', describe: 'A plan saved with meshctl plan --out; applied without a prompt, refused if stale' })
      .option('auto-approve', { type: 'boolean', default: false, describe: 'Skip the approval prompt' })
      .option('verify', { type: 'boolean', default: true, describe: "Once the apply succeeded, run meshctl verify's checks (--verify=false skips them)" })
      .option('json', { type: 'boolean', default: false, describe: 'Stream progress as one JSON object per line (needs --auto-approve or a plan file)' }),
  run: async (args, io, ports) => (await import('./apply-handler.js')).runApply(args, io, { mode: 'apply', ports }),
};
