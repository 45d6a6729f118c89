// Progress of an apply or destroy as typed events. Executors emit them; views turn them into
// human lines ("Still creating... [10s elapsed]") or one JSON object per line.
import type { Action } from '../planner/plan.js';

export type ApplyEvent =
  /** `removal`: the unit is being taken down (destroy, or a unit that left mesh.yaml). */
  | { readonly type: 'unit-start'; readonly unit: string; readonly cluster: string; readonly removal?: boolean }
  | { readonly type: 'object-done'; readonly unit: string; readonly address: string; readonly action: Action; readonly elapsedMs: number }
  | { readonly type: 'wait-progress'; readonly unit: string; readonly what: string; readonly elapsedMs: number }
  | { readonly type: 'wait-done'; readonly unit: string; readonly what: string; readonly elapsedMs: number }
  | { readonly type: 'unit-done'; readonly unit: string; readonly elapsedMs: number }
  | { readonly type: 'unit-failed'; readonly unit: string; readonly message: string }
  | { readonly type: 'unit-skipped'; readonly unit: string; readonly because: string };

export type EventSink = (e: ApplyEvent) => void;
