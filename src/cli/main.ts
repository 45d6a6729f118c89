// Entry point: parses flags with yargs, dispatches to one command, turns user errors
// (DiagnosticsError) into printed diagnostics and exit 1. Heavy modules (the Kubernetes
// client) are imported by the commands that need them, and a bare `--version` is answered
// before yargs or any command module is even loaded, so it stays fast.
import type { Argv } from 'yargs';
import { fail, isDiagnosticsError } from '../diagnostics.js';
import { untrustedInput } from '../kube/untrusted.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import type { Command } from './command.js';
import { ExitCode, processIO, type CliIO } from './io.js';
import type { Ports } from './ports.js';
import { meshctlVersion } from '../version.js';

/** `ports`: the clusters, istioctl, state, trust and clock to use; the real ones unless given. */
export async function main(argv: readonly string[], io: CliIO = processIO(), ports?: Ports): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${meshctlVersion}\n`);
    return ExitCode.ok;
  }
  let exit: number = ExitCode.ok;
  const y = await buildParser(argv, {
    columns: (io.stdout as { columns?: number }).columns ?? 100,
    handler: (cmd) => async (args) => {
      if (cmd.changes?.(args) && untrustedInput(io.env)) {
        const name = [...(Array.isArray(args['_']) ? args['_'] : []), ...(args['subcommand'] ? [args['subcommand']] : [])].map(String).join(' ');
        fail('Not with untrusted input', `MESHCTL_UNTRUSTED is set: meshctl only validates, plans and shows untrusted input, and \`meshctl ${name}\` would change clusters or the state.`, {
          hint: 'Apply from a job that runs on reviewed code, without MESHCTL_UNTRUSTED (docs/security.md).',
        });
      }
      exit = await cmd.run(args, io, ports);
    },
  });
  try {
    // parseAsync prints help/version itself; route its output through our streams.
    await y.parseAsync([...argv], {}, (err, _argv, output) => {
      if (output) (err ? io.stderr : io.stdout).write(output.endsWith('\n') ? output : `${output}\n`);
    });
    return exit;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`Error: ${e.message}\nRun 'meshctl --help' for usage.\n`);
      return ExitCode.error;
    }
    if (isDiagnosticsError(e)) {
      const sources = (e as { sources?: ReadonlyMap<string, string> }).sources;
      io.stderr.write(renderDiagnostics(e.diagnostics, { color: !io.env['NO_COLOR'] && io.stderr.isTTY === true, sources }));
      return ExitCode.error;
    }
    throw e;
  }
}

/** A mistake in the command line (unknown command or flag, a flag without its value, ...): exit 1. */
export class UsageError extends Error {}

/**
 * meshctl's yargs instance: every command with its real builder (flags, types, choices,
 * strictness), and the handler `handler(cmd)` gives it. main() passes the commands' run;
 * parseOnly() (parse-only.ts) passes handlers that do nothing, to check command lines without
 * running them. Usage mistakes reject the parse with a UsageError.
 */
export async function buildParser(argv: readonly string[], o: { columns: number; handler: (cmd: Command) => (args: Record<string, unknown>) => Promise<void> }): Promise<Argv> {
  // Loaded after main's fast path: the commands' option builders import their views.
  const [{ default: yargs }, { commands }] = await Promise.all([import('yargs'), import('./commands.js')]);
  let y = yargs([...argv])
    .scriptName('meshctl')
    .usage('$0 <command> [options]\n\nDeclarative installs of multi-cluster Istio meshes.')
    .version(meshctlVersion)
    .help()
    .alias('h', 'help')
    .strict()
    .demandCommand(1, 'Name a command: meshctl validate | plan | apply | destroy | show | force-unlock')
    .recommendCommands()
    .wrap(Math.min(110, o.columns))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs' own complaints (a flag without its value, ...) arrive as a YError: usage, not a bug.
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(msg ?? err?.message);
    });
  for (const cmd of commands) {
    y = y.command(cmd.command, cmd.describe, cmd.builder, o.handler(cmd));
  }
  skipHelpCache(y);
  return y;
}

/**
 * yargs renders the running subcommand's whole help text right after it starts the handler, in
 * case the handler later asks yargs to show help, a cost in every `meshctl validate`. meshctl's
 * handlers never do (their errors are diagnostics; usage errors come from parsing, before any
 * handler), so that render is skipped. `--help` is unaffected: it renders on demand. Guarded, so
 * a yargs without this internal hook only loses the saving.
 */
function skipHelpCache(y: object): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (y as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}
