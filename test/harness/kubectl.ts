// The built kubectl against one kubeconfig of the local clusters, as the harness, the e2e tests
// and the bench run it: a context per call.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Kubectl {
  readonly binary: string;
  readonly kubeconfig: string;
}

/** Runs kubectl in `context`; resolves to its stdout, rejects with its stderr on the error. */
export async function kubectl(k: Kubectl, context: string, args: readonly string[]): Promise<string> {
  const { stdout } = await exec(k.binary, ['--kubeconfig', k.kubeconfig, `--context=${context}`, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
