// `meshctl verify`: read the live clusters (no writes) and check that the mesh is connected,
// not only that its objects exist. Exit 0 when every check passes, 2 when one fails, 1 when
// verify itself could not run.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { commonOptions } from './options.js';

export const verifyCommand: Command = {
  command: 'verify',
  describe: 'Check that the mesh works: istiod, one root, gateway addresses, remote secrets, links (changes nothing)',
  builder: (y: Argv) =>
    commonOptions(y)
      .option('json', { type: 'boolean', default: false, describe: 'Print the checks as JSON' })
      .epilog('Exit codes: 0 every check passed (warnings allowed), 1 verify could not run or a cluster could not be read, 2 a check failed.'),
  run: async (args, io, ports) => (await import('./verify-handler.js')).runVerify(args, io, ports),
};
