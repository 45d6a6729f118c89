// Lookups into a Desired for assertions.
import type { Desired, Unit } from '../../../src/model/desired.js';

export function unitById(desired: Desired, id: string): Unit {
  const unit = desired.units.find((u) => u.id === id);
  if (!unit) throw new Error(`no unit ${id}; units are: ${desired.units.map((u) => u.id).join(', ')}`);
  return unit;
}

export function ids(desired: Desired): string[] {
  return desired.units.map((u) => u.id);
}

/** Round-trip through JSON, as a golden file or the plan would hold it. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
