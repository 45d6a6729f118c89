// Running istioctl: no shell, a timeout, its own HOME (istioctl reads ~/.istioctl), stderr kept
// on the error for the caller's message.
import { execFile } from 'node:child_process';
import * as os from 'node:os';

export function run(binary: string, args: readonly string[], opts: { timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { timeout: opts.timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, HOME: process.env.HOME ?? os.homedir() } }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr: String(stderr) }));
      else resolve(String(stdout));
    });
  });
}
