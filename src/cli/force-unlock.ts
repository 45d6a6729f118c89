// `meshctl force-unlock ID`: remove a lock left by a crashed run. The ID must match, so a
// live run's lock is never broken by accident (a local lock file naming no holder, as the lock
// error says, is removed with the ID `unreadable`). The state is found as plan and apply find
// it: mesh.yaml's `state:` (beside mesh.yaml by default), or --state.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { ExitCode } from './io.js';
import { parseForceUnlockOptions } from './options.js';

export const forceUnlockCommand: Command = {
  command: 'force-unlock <id>',
  changes: () => true,
  describe: 'Remove a state lock left behind by a crashed run',
  builder: (y: Argv) =>
    y
      .positional('id', { type: 'string', describe: 'The lock ID the lock error printed' })
      .option('file', { alias: 'f', type: 'string', default: 'mesh.yaml', describe: 'The mesh definition (says where the state is)' })
      .option('state', { type: 'string', describe: 'State file (default: as mesh.yaml says; meshctl.state.json beside it)' })
      .option('kubeconfig', { type: 'string', describe: 'kubeconfig file for a Kubernetes state backend that names none' }),
  run: async (args, io, ports) => {
    const options = parseForceUnlockOptions(args);
    const [{ closeConfig, loadConfig }, { defaultPorts }] = await Promise.all([import('./session.js'), import('./ports.js')]);
    const config = loadConfig(options, { io, ports: ports ?? defaultPorts() });
    try {
      const holder = await config.state.forceUnlock(options.id);
      const whose = holder ? `the lock of ${holder.who}, "${holder.operation}",` : 'the lock file, which named no holder,';
      io.stdout.write(`meshctl state has been unlocked (${config.state.where}; ${whose} was removed).\n`);
      return ExitCode.ok;
    } finally {
      closeConfig(config);
    }
  },
};
