// The streams and environment a command runs with, injected so commands and views can be
// driven from tests without touching the real process.

export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: process.stdin builds a ReadStream on first access, a start-up cost, and only
    // apply and destroy ever read it (the confirmation prompt). docs/architecture.md, start-up.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Exit codes, Terraform's convention: 0 ok / no changes, 1 error, 2 changes present. */
/** 2: plan --detailed-exitcode found changes; verify found a failed check. */
export const ExitCode = { ok: 0, error: 1, changes: 2, checksFailed: 2, interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
