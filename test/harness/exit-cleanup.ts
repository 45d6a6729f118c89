// Last-resort cleanup when the process running the harness is interrupted or exits without
// calling stop(): SIGINT (Ctrl-C), SIGTERM (CI cancelling a job), or a plain process exit.
//
// Only synchronous work is possible from an 'exit' handler, so every registered action is
// synchronous (SIGKILL a child, rmSync a directory). The graceful path is the owner's async
// stop(), which unregisters its actions first. Children additionally die with their parent
// through PR_SET_PDEATHSIG (see processes.ts), which covers SIGKILL of this process too.
type Action = () => void;

const actions = new Map<number, Action>();
let nextId = 1;
let installed = false;

function runAll(): void {
  // Newest first: processes registered after their directories are stopped before those go.
  for (const id of [...actions.keys()].reverse()) {
    const action = actions.get(id);
    actions.delete(id);
    try {
      action?.();
    } catch {
      // Best effort: one failed action must not keep the others from running.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (the clusters daemon, vitest) owns graceful shutdown and will stop things
  // properly or exit, and 'exit' still runs everything left. Killing children here would cut
  // that graceful path short.
  if (process.listenerCount(signal) > 1) return;
  runAll();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  // Re-raise so the default behaviour (terminate with the signal's status) applies.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Registers a synchronous action to run if the process ends; returns its unregister function. */
export function onExitCleanup(action: Action): () => void {
  install();
  const id = nextId++;
  actions.set(id, action);
  return () => {
    actions.delete(id);
  };
}
