// The simulator's effects and their switches: in the options, at run time, in MESHCTL_SIM_OFF,
// and per namespace with the annotation sim.meshctl.test/off. Types only from client-node, so
// the clusters CLI can check --sim-off without loading it.
import type { V1Namespace } from '@kubernetes/client-node';

export const SIMULATED_EFFECTS = ['loadBalancer', 'deployments'] as const;
export type SimulatedEffect = (typeof SIMULATED_EFFECTS)[number];
export type SimulatedEffects = Record<SimulatedEffect, boolean>;

/** Namespace annotation: comma-separated effects (or "all") the simulator leaves alone there. */
export const SIMULATOR_OFF_ANNOTATION = 'sim.meshctl.test/off';
/** Environment variable read by the CLI and the global setup: effects to switch off. */
export const SIMULATOR_OFF_ENV = 'MESHCTL_SIM_OFF';

/** Whether an effect may act in a namespace during this pass. */
export type EffectOn = (effect: SimulatedEffect, namespace: string) => boolean;
/** Reports an effect applied, or an error (error = true). */
export type Emit = (effect: SimulatedEffect, message: string, error?: boolean) => void;

/** Parses "deployments,loadBalancer" (or "all") into effects switched off. */
export function effectsOff(list: string | undefined): Partial<SimulatedEffects> {
  const names = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const off: Partial<SimulatedEffects> = {};
  for (const name of names) {
    if (name === 'all') SIMULATED_EFFECTS.forEach((e) => (off[e] = false));
    else if ((SIMULATED_EFFECTS as readonly string[]).includes(name)) off[name as SimulatedEffect] = false;
    else throw new Error(`Unknown simulated effect "${name}"; known: ${SIMULATED_EFFECTS.join(', ')}, all`);
  }
  return off;
}

function namespaceOff(ns: V1Namespace | undefined): Set<string> {
  const value = ns?.metadata?.annotations?.[SIMULATOR_OFF_ANNOTATION];
  if (!value) return new Set();
  return new Set(
    value
      .split(',')
      .map((s) => s.trim())
      .flatMap((s) => (s === 'all' ? [...SIMULATED_EFFECTS] : [s])),
  );
}

/**
 * Which effects a pass may have in which namespace, from the namespaces it listed first. An object
 * in a namespace that list does not hold was made after it, so its namespace's annotations are not
 * known yet: the pass leaves it alone, and the watch event that announced it wakes the next pass.
 * (Treating it as "nothing off" once rolled out a Deployment in a namespace created with
 * sim.meshctl.test/off: deployments.)
 */
export function effectsByNamespace(namespaces: V1Namespace[], enabled: (e: SimulatedEffect) => boolean): EffectOn {
  const off = new Map(namespaces.map((ns) => [ns.metadata?.name ?? '', namespaceOff(ns)]));
  return (effect, ns) => {
    const there = off.get(ns);
    return enabled(effect) && there !== undefined && !there.has(effect);
  };
}
