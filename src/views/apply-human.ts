// Apply progress for people, one line per event, in the words Terraform users know:
// "cluster1/control-plane: Creating...", "Still waiting for ... [20s elapsed]".
import type { ApplyEvent } from '../executors/events.js';

const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

export function renderEventHuman(e: ApplyEvent): string {
  switch (e.type) {
    case 'unit-start':
      // Terraform's words: "Destroying..." for what is taken down.
      return `${e.unit}: ${e.removal ? 'Destroying...' : 'Applying...'}`;
    case 'object-done':
      return `${e.unit}: ${e.action === 'delete' ? 'Destroyed' : e.action === 'create' ? 'Created' : 'Updated'} ${e.address.split('/').slice(1).join('/')}`;
    case 'wait-progress':
      return `${e.unit}: Still waiting for ${e.what}... [${secs(e.elapsedMs)} elapsed]`;
    case 'wait-done':
      return `${e.unit}: Ready: ${e.what} [${secs(e.elapsedMs)}]`;
    case 'unit-done':
      return `${e.unit}: Complete after ${secs(e.elapsedMs)}`;
    case 'unit-failed':
      return `${e.unit}: Failed: ${e.message}`;
    case 'unit-skipped':
      return `${e.unit}: Skipped (depends on ${e.because}, which did not complete)`;
  }
}
