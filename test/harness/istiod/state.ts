// The istiod runner's state file (<dir>/state.json), rewritten on every change, so that tests in
// another process than the runner (vitest workers, the global setup) can find each istiod's
// loopback ports, log and figures, and print the logs of a failed run.
import { readFileSync } from 'node:fs';
import { readLogTail } from '../processes.js';
import type { ListenPorts } from './pod.js';

export type IstiodStatus = 'starting' | 'ready' | 'exited' | 'stopped';

export interface IstiodProcessState {
  cluster: string;
  namespace: string;
  deployment: string;
  revision: string;
  /** What POD_NAME says: <ReplicaSet>-<5 characters>, as for a pod of that ReplicaSet. */
  podName: string;
  serviceAccount: string;
  /** The pilot-discovery binary it runs (the one of the image's version) and that version. */
  binary: string;
  version: string;
  /** sha256 of the Deployment's pod template the process was started from. */
  templateHash: string;
  pid: number;
  status: IstiodStatus;
  ports: ListenPorts;
  /** The pod's filesystem as the mounts show it; the process's working directory. */
  root: string;
  logFile: string;
  /** The kubeconfig it uses: the API server's loopback address and its ServiceAccount token file. */
  kubeconfig: string;
  /** Environment the runner set differently from what the container spec gives, and why. */
  overrides: Record<string, string>;
  startedAt: string;
  readyAt?: string;
  /** Process start to the first 200 from /ready on its http port. */
  startupMs?: number;
  /** VmHWM when it stopped (KiB); for a running process read it live with peakRssKiB(pid). */
  peakRssKiB?: number;
  /** Exit code or signal, once it ended. */
  exit?: string;
  /** How many times it was started again after exiting by itself. */
  restarts: number;
}

export interface RunnerState {
  updatedAt: string;
  /** Every process started in this run, the stopped ones too (their logs stay). */
  processes: IstiodProcessState[];
  /** Deployments the runner will not run, and why (latest reason per Deployment). */
  skipped: Array<{ cluster: string; deployment: string; reason: string }>;
  /**
   * Connections that reached the loopback trap set as every istiod's HTTP(S) proxy: a request for
   * a non-loopback host (Go's proxy rules never proxy loopback). Each is the request line.
   */
  egressAttempts: Array<{ at: string; request: string }>;
}

export function readRunnerState(stateFile: string): RunnerState {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as RunnerState;
}

/** The high-water mark of a process's resident memory (VmHWM), in KiB; undefined once it is gone. */
export function peakRssKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The last `lines` of every istiod log of the run (or of those `which` selects), for a failed test. */
export function istiodLogs(state: RunnerState, options: { lines?: number; which?: (p: IstiodProcessState) => boolean } = {}): string {
  const chosen = state.processes.filter(options.which ?? (() => true));
  const parts = chosen.map(
    (p) =>
      `--- ${p.cluster} ${p.namespace}/${p.deployment} pod ${p.podName} (pid ${p.pid}, ${p.status}${p.exit ? `, exit ${p.exit}` : ''}) ${p.logFile}\n${readLogTail(p.logFile, options.lines ?? 40)}`,
  );
  const skipped = state.skipped.map((s) => `--- ${s.cluster} ${s.deployment}: not run: ${s.reason}`);
  return [...parts, ...skipped].join('\n') || '(the istiod runner started no process)';
}
