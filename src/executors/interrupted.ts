// An apply stopped by the user (Ctrl-C, SIGTERM from a CI runner that cancels the job): no new
// unit starts, a running unit stops at its next step (a request in flight is finished and
// journaled, a wait is left), and the state keeps everything that was done, so the next apply
// resumes. Not a failure of the unit: it is reported as interrupted.
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Interrupted();
}
