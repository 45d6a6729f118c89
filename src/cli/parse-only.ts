// Checking a meshctl command line without running it: the same yargs instance main() runs
// (buildParser: the real commands, builders, flag types, choices and strictness), with handlers
// that only record what was matched. For tests of command lines written elsewhere, such as
// the CI workflow in docs/ci/ (test/unit/cli/ci-workflow.test.ts). Not part of the bundle.
import { buildParser, UsageError } from './main.js';

export type ParseOnlyResult =
  /** A command matched: its name as typed (`_`, e.g. ["plan"]) and the flags as yargs parsed them. */
  | { readonly kind: 'command'; readonly command: readonly string[]; readonly args: Readonly<Record<string, unknown>> }
  /** --help or --version: what meshctl would have printed. */
  | { readonly kind: 'output'; readonly output: string }
  /** What main() would print after "Error: " before exiting 1 (unknown command or flag, a flag without its value, ...). */
  | { readonly kind: 'usage-error'; readonly message: string };

/** `argv` without the program name, as main() takes it. Never reads mesh.yaml, a state or a cluster. */
export async function parseOnly(argv: readonly string[]): Promise<ParseOnlyResult> {
  let matched: { command: string[]; args: Record<string, unknown> } | undefined;
  const y = await buildParser(argv, {
    columns: 100,
    handler: () => async (args) => {
      matched = { command: (Array.isArray(args['_']) ? args['_'] : []).map(String), args };
    },
  });
  let output = '';
  try {
    await y.parseAsync([...argv], {}, (_err, _argv, out) => {
      output = out;
    });
  } catch (e) {
    if (e instanceof UsageError) return { kind: 'usage-error', message: e.message };
    throw e;
  }
  return matched ? { kind: 'command', ...matched } : { kind: 'output', output };
}
