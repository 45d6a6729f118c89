// The order units are applied in, for this plan: the model's install order, with the edges a
// unit needs only to be installed (installDependsOn) dropped where they are already met, and
// the upgrade order (updatesAfter) taking their place. Pure: what is met is read from the
// prior state and the changes planned.
import type { Unit } from '../model/desired.js';
import type { MeshState } from '../state/state.js';
import type { Change } from './plan.js';

/** Each unit's dependencies in this plan, by id, in the model's order. */
export function planDependencies(units: readonly Unit[], changesOf: ReadonlyMap<string, readonly Change[]>, prior: MeshState | null): Map<string, string[]> {
  const applied = new Set((prior?.units ?? []).filter((u) => u.status === 'applied').map((u) => u.id));
  const ids = new Set(units.map((u) => u.id));
  const changes = (id: string) => changesOf.get(id) ?? [];
  // Installed by a completed apply and needing no value produced during this one.
  const installed = (id: string) => applied.has(id) && changes(id).every((c) => c.afterUnknown.length === 0);
  // Installed, and every object it has stays (no create, delete or replace): what it gives
  // dependants (an address, a route) is there before this apply starts.
  const standing = (id: string) => installed(id) && changes(id).every((c) => c.action === 'noop' || c.action === 'update');
  const upgraded = new Set(units.filter((u) => u.installDependsOn?.length && installed(u.id) && u.installDependsOn.every((d) => !ids.has(d) || standing(d))).map((u) => u.id));
  return new Map(
    units.map((u) => [u.id, [...u.dependsOn, ...(upgraded.has(u.id) ? [] : (u.installDependsOn ?? [])), ...(standing(u.id) ? (u.updatesAfter ?? []).filter((a) => upgraded.has(a)) : [])]]),
  );
}
