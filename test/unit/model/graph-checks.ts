// Structural checks every Desired must pass, shared by the table tests and the property test.
import { isUnknown, type Unit } from '../../../src/model/desired.js';

/** A unit's edges when it is installed: dependsOn and installDependsOn. */
export function installEdges(u: Unit): readonly string[] {
  return [...u.dependsOn, ...(u.installDependsOn ?? [])];
}

/** A unit's edges in an upgrade where every install edge is met: dependsOn and updatesAfter. */
export function upgradeEdges(u: Unit): readonly string[] {
  return [...u.dependsOn, ...(u.updatesAfter ?? [])];
}

/** "a -> b" for every dependency id (of any kind) that names no unit. */
export function danglingDependencies(units: readonly Unit[]): string[] {
  const ids = new Set(units.map((u) => u.id));
  return units.flatMap((u) => [...installEdges(u), ...(u.updatesAfter ?? [])].filter((d) => !ids.has(d)).map((d) => `${u.id} -> ${d}`));
}

export function duplicateIds(units: readonly Unit[]): string[] {
  const seen = new Set<string>();
  return units.map((u) => u.id).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

/** One cycle as a path ("a -> b -> a"), or undefined when the graph is acyclic. */
export function findCycle(units: readonly Unit[], edges: (u: Unit) => readonly string[] = installEdges): string | undefined {
  const deps = new Map(units.map((u) => [u.id, edges(u)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id].join(' -> ');
    state.set(id, 'visiting');
    for (const d of deps.get(id) ?? []) {
      const cycle = visit(d, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of deps.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every Unknown marker anywhere in a value, with its path. */
export function unknownsIn(value: unknown, path = ''): { path: string; unit: string; output: string; sensitive: boolean }[] {
  if (isUnknown(value)) {
    const u = value.$unknown;
    return [{ path, unit: u.unit, output: u.output, sensitive: u.sensitive === true }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownsIn(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => unknownsIn(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/**
 * Unknowns a unit cannot resolve: each must come from the unit itself (material the executor
 * supplies) or from a unit it depends on directly, and that unit must declare the output.
 */
export function unresolvableUnknowns(units: readonly Unit[]): string[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  return units.flatMap((u) =>
    // A crds unit shares the control plane's IstioOperator (one rendering) but keeps only its
    // CRDs, which hold none of its values: it renders with a placeholder and needs nothing.
    unknownsIn(u.renderPart === 'crds' ? { ...u, istioOperator: undefined } : u)
      .filter((k) => !(k.unit === u.id || installEdges(u).includes(k.unit)) || !byId.get(k.unit)?.outputs.includes(k.output as never))
      .map((k) => `${u.id} ${k.path} needs ${k.unit}.${k.output}`),
  );
}

/** Problems of any kind; empty for a well-formed Desired. */
export function graphProblems(units: readonly Unit[]): string[] {
  const cycle = findCycle(units, installEdges);
  const upgradeCycle = findCycle(units, upgradeEdges);
  return [
    ...duplicateIds(units).map((id) => `duplicate id ${id}`),
    ...danglingDependencies(units).map((d) => `dangling ${d}`),
    ...(cycle ? [`cycle ${cycle}`] : []),
    ...(upgradeCycle ? [`upgrade cycle ${upgradeCycle}`] : []),
    ...unresolvableUnknowns(units).map((d) => `unknown ${d}`),
  ];
}
