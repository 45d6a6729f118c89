// The state directory of `npm run clusters`: where the background daemon records what it runs,
// so that `status` and `down` (separate processes, later) can find it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/fs/atomic-write.js';
import type { EnvironmentInfo } from './environment.js';

export const DEFAULT_STATE_DIR = join(homedir(), '.cache/meshctl/clusters');

export type DaemonState =
  { phase: 'starting'; daemonPid: number } | { phase: 'failed'; daemonPid: number; error: string } | { phase: 'ready'; daemonPid: number; startMs: number; setDir: string; info: EnvironmentInfo };

export const statePath = (dir: string) => join(dir, 'state.json');
/** Stable path users export as KUBECONFIG; a copy of the set's kubeconfig. */
export const kubeconfigPath = (dir: string) => join(dir, 'kubeconfig');
export const daemonLogPath = (dir: string) => join(dir, 'daemon.log');

export function readState(dir: string): DaemonState | undefined {
  if (!existsSync(statePath(dir))) return undefined;
  return JSON.parse(readFileSync(statePath(dir), 'utf8')) as DaemonState;
}

export async function writeState(dir: string, state: DaemonState): Promise<void> {
  // Atomic: `up` polls this file while the daemon writes it.
  await writeFileAtomic(statePath(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
}
