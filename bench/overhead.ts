// Where the time of one `meshctl apply` went, from its human event lines and their arrival
// times: a unit's waits start right after its previous event ("Created ...", or the previous
// "Ready: ..."), so each "Ready: what [Ns]" line closes one wait interval. Time covered by no
// wait at all is meshctl's own overhead: start-up, planning, rendering, the API requests that
// apply objects (including the server's time) and CRD-established checks.
import type { Sample } from './measure.js';

export interface ApplyBreakdown {
  /** From spawn to the first "Applying..." line: start-up, plan, trust material. */
  readonly untilFirstUnitMs: number;
  /** Time during which at least one readiness wait was in progress. */
  readonly waitingMs: number;
  /** Wall time minus waitingMs. */
  readonly overheadMs: number;
  readonly waits: number;
  /** Per unit: [start, end] and its waits' [start, end], ms since spawn (for reading one run). */
  readonly timeline: Record<string, { start: number; end?: number; waits: Array<[number, number]> }>;
}

export function applyBreakdown(s: Sample): ApplyBreakdown {
  const lastEvent = new Map<string, number>();
  const intervals: Array<[number, number]> = [];
  const timeline: ApplyBreakdown['timeline'] = {};
  let firstUnit: number | undefined;
  for (const { t, text } of s.lines) {
    const m = /^(\S+): (Applying\.\.\.|Created |Updated |Ready: |Complete after)/.exec(text);
    if (!m) continue;
    const unit = m[1]!;
    const r = Math.round(t);
    if (m[2] === 'Applying...') {
      firstUnit ??= t;
      timeline[unit] = { start: r, waits: [] };
    }
    if (m[2] === 'Complete after' && timeline[unit]) timeline[unit].end = r;
    if (m[2] === 'Ready: ') {
      intervals.push([lastEvent.get(unit) ?? t, t]);
      timeline[unit]?.waits.push([Math.round(lastEvent.get(unit) ?? t), r]);
    }
    lastEvent.set(unit, t);
  }
  intervals.sort((a, b) => a[0] - b[0]);
  let waitingMs = 0;
  let end = -Infinity;
  for (const [a, b] of intervals) {
    if (b <= end) continue;
    waitingMs += b - Math.max(a, end);
    end = b;
  }
  return { untilFirstUnitMs: firstUnit ?? s.wallMs, waitingMs, overheadMs: s.wallMs - waitingMs, waits: intervals.length, timeline };
}
