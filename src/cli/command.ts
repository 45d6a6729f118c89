// How a subcommand plugs into the CLI: a yargs builder for its flags and an async run that
// returns an exit code. Commands never call process.exit; main() owns the process.
import type { Argv } from 'yargs';
import type { CliIO } from './io.js';
import type { Ports } from './ports.js';

export interface Command {
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv;
  /**
   * Whether this invocation changes clusters or the state: refused with untrusted input
   * (MESHCTL_UNTRUSTED), which may only be validated, planned and shown. Absent: never.
   */
  readonly changes?: (args: Record<string, unknown>) => boolean;
  /** `ports`: what the command reaches the world through; defaultPorts() unless a test passes fakes. */
  readonly run: (args: Record<string, unknown>, io: CliIO, ports?: Ports) => Promise<number>;
}
