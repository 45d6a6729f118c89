// How a subcommand plugs into the CLI: a yargs builder for its flags and an async run that
// returns an exit code. Commands never call process.exit; main() owns the process.
import type { Argv } from 'yargs';
import type { CliIO } from './io.js';

export interface Command {
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv;
  readonly run: (args: Record<string, unknown>, io: CliIO) => Promise<number>;
}
