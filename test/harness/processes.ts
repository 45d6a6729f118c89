// Child processes of the harness (etcd, kube-apiserver, kube-controller-manager): started with
// their output in a log file, stopped with SIGTERM then SIGKILL, and never outliving the harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { onExitCleanup } from './exit-cleanup.js';

export interface StartProcessOptions {
  /** Short label used in error messages, e.g. "cluster1/etcd". */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here; the tail is quoted when the process fails. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<string>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** The last lines of the log, for error messages. */
  logTail(lines?: number): string;
}

// setpriv (util-linux) sets PR_SET_PDEATHSIG before exec'ing the real binary, so the kernel
// kills the child when the harness process dies, even by SIGKILL, where no JS handler runs.
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export function readLogTail(logFile: string, lines = 25): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function startProcess(options: StartProcessOptions): ManagedProcess {
  const fd = openSync(options.logFile, 'a', 0o600);
  const [command, args] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]] : [options.command, options.args];
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], env: options.env ?? process.env });
  } finally {
    closeSync(fd);
  }
  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(signal ?? String(code));
    });
    child.once('error', (err) => {
      running = false;
      resolve(`spawn error: ${err.message}`);
    });
  });
  const unregister = onExitCleanup(() => {
    if (running) child.kill('SIGKILL');
  });
  void exited.then(unregister);

  return {
    name: options.name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    isRunning: () => running,
    logTail: (lines) => readLogTail(options.logFile, lines),
    async stop(stopOptions) {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopOptions?.graceMs ?? 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Whether a process with this PID exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
