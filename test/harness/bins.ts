// The real binaries the harness runs, built (or found in the cache) by tools/bins/build.sh.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REQUIRED_BINS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl', 'istioctl', 'pilot-discovery'];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD_SCRIPT = join(repoRoot, 'tools/bins/build.sh');

/**
 * Runs build.sh (a no-op when everything is cached) and returns the directory it prints.
 * Progress lines (build.sh's stderr) go to `onProgress` as they arrive, because a cold build
 * takes many minutes and silence would look like a hang.
 */
export function ensureBins(options: { onProgress?: (line: string) => void } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail: string[] = [];
    child.stdout.on('data', (c) => (stdout += c));
    let partial = '';
    child.stderr.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        options.onProgress?.(line);
        stderrTail = [...stderrTail, line].slice(-30);
      }
    });
    child.once('error', (err) => reject(new Error(`Could not run ${BUILD_SCRIPT}: ${err.message}`)));
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${BUILD_SCRIPT} failed (exit ${code}); the test binaries are not available:\n${[...stderrTail, partial].join('\n')}`));
        return;
      }
      const binDir = stdout.trim().split('\n').pop() ?? '';
      const missing = REQUIRED_BINS.filter((b) => !existsSync(join(binDir, b)));
      if (!binDir || missing.length > 0) {
        reject(new Error(`${BUILD_SCRIPT} printed bin dir "${binDir}" but it lacks: ${missing.join(', ')}`));
        return;
      }
      resolvePromise(binDir);
    });
  });
}
