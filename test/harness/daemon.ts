// The background process behind `npm run clusters -- up`: it owns the clusters (their processes
// die with it, see processes.ts) and the simulator, records itself in the state directory, and
// on SIGTERM/SIGINT stops everything and removes its files.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { startEnvironment, type Environment } from './environment.js';
import type { SimulatedEffects } from './simulator.js';
import { kubeconfigPath, statePath, writeState } from './state-file.js';

export async function runDaemon(options: { dir: string; binDir: string; count: number; simulatorEffects: Partial<SimulatedEffects>; log: (line: string) => void }): Promise<void> {
  const { dir, log } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeState(dir, { phase: 'starting', daemonPid: process.pid });
  let env: Environment | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await env?.stop();
    await Promise.all([rm(statePath(dir), { force: true }), rm(kubeconfigPath(dir), { force: true })]);
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const started = Date.now();
  try {
    env = await startEnvironment({ binDir: options.binDir, count: options.count, parentDir: dir, simulatorEffects: options.simulatorEffects });
  } catch (err) {
    const error = (err as Error).message;
    log(error);
    await writeState(dir, { phase: 'failed', daemonPid: process.pid, error });
    process.exit(1);
  }
  const startMs = Date.now() - started;
  await copyFile(env.info.kubeconfigPath, kubeconfigPath(dir));
  await writeState(dir, { phase: 'ready', daemonPid: process.pid, startMs, setDir: env.set.dir, info: { ...env.info, kubeconfigPath: kubeconfigPath(dir) } });
  log(`${options.count} clusters ready in ${startMs} ms; simulator log ${env.info.simulatorLog}`);
}
