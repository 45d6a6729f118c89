// Is a saved plan still the plan for the world as it is now? `meshctl apply plan.json` asks
// before changing anything, and refuses with an error per rule that failed:
//   - the state belongs to another lineage (the plan was made for another mesh or state file),
//     or a state appeared or vanished since planning;
//   - the state's serial moved on (another apply or destroy ran since, so what the plan
//     believed meshctl had made may no longer hold);
//   - mesh.yaml's digest changed (the plan no longer says what the file says);
//   - an object the plan acts on changed in its cluster: its resourceVersion differs, it
//     appeared where the plan creates it, or it vanished where the plan updates or deletes it.
// Terraform refuses a stale plan without saying why; each refusal here names what changed.
// Objects the plan leaves alone (no-ops) are not checked: controllers bump resourceVersions
// all the time, and a no-op does not write what it read. Pure.
import { error, type Diagnostic } from '../diagnostics.js';
import type { Change, Plan } from './plan.js';

export interface LiveVersion {
  readonly resourceVersion?: string;
}

export interface StaleCheckInput {
  readonly plan: Plan;
  /** The state as it is now; null when there is no state file. */
  readonly currentState: { readonly lineage: string; readonly serial: number } | null;
  /** Digest of mesh.yaml as it is now (same digest function as at plan time). */
  readonly sourceDigest: string;
  /**
   * Every address of addressesToCheck(plan), looked up now: undefined when the object does
   * not exist. An address missing from the map is a bug in the caller and throws.
   */
  readonly live: ReadonlyMap<string, LiveVersion | undefined>;
}

/** At most this many objects are listed in one diagnostic; the rest are counted. */
const maxListed = 20;

/** The objects a saved plan acts on: what the CLI must look up before checkStale. */
export function addressesToCheck(plan: Plan): string[] {
  return plan.changes.filter((c) => c.action !== 'noop').map((c) => c.address);
}

export function checkStale(input: StaleCheckInput): Diagnostic[] {
  return [...checkState(input), ...checkSource(input), ...checkObjects(input)];
}

const again = 'Run `meshctl plan` again, review the new plan, and apply that one.';

function checkState({ plan, currentState: now }: StaleCheckInput): Diagnostic[] {
  const then = plan.state;
  if (then === null && now === null) return [];
  if (then === null) {
    return [
      error(
        'State created since the plan',
        `The plan was made when there was no state yet, but there is one now (lineage ${now!.lineage}, serial ${now!.serial}): another apply has run since. ${again}`,
      ),
    ];
  }
  if (now === null) {
    return [
      error(
        'State missing',
        `The plan was made against state lineage ${then.lineage} at serial ${then.serial}, but there is no state now. Is --state pointing at the right file? If the state was lost, ${again.charAt(0).toLowerCase()}${again.slice(1)}`,
      ),
    ];
  }
  if (then.lineage !== now.lineage) {
    return [
      error(
        'Plan is for another state',
        `The plan was made against state lineage ${then.lineage}, but the state here has lineage ${now.lineage}: it belongs to another mesh or another state file. Check --state and the mesh.yaml you are in, or make a plan here.`,
      ),
    ];
  }
  if (then.serial === now.serial) return [];
  const how =
    now.serial > then.serial
      ? `moved on from serial ${then.serial} to ${now.serial}: another apply or destroy has run since the plan was made`
      : `went back from serial ${then.serial} to ${now.serial}: it was restored from an older copy since the plan was made`;
  return [error('Saved plan is stale', `The state (lineage ${now.lineage}) ${how}. ${again}`)];
}

function checkSource({ plan, sourceDigest }: StaleCheckInput): Diagnostic[] {
  if (plan.mesh.sourceDigest === sourceDigest) return [];
  return [
    error(
      'mesh.yaml changed since the plan',
      `${plan.mesh.sourceFile} is not the file the plan was made from (digest ${plan.mesh.sourceDigest} then, ${sourceDigest} now), so the plan may not do what mesh.yaml now says. ${again}`,
      { path: plan.mesh.sourceFile },
    ),
  ];
}

type Moved = { readonly kind: 'changed' | 'appeared' | 'disappeared'; readonly line: string };

function movedObject(c: Change, live: LiveVersion | undefined): Moved | undefined {
  const was = c.observedResourceVersion;
  if (c.action === 'create') {
    return live === undefined
      ? undefined
      : { kind: 'appeared', line: `${c.address}: created by someone else since the plan (resourceVersion ${live.resourceVersion ?? 'unknown'}); the plan was to create it` };
  }
  if (live === undefined) {
    return { kind: 'disappeared', line: `${c.address}: deleted since the plan (it was at resourceVersion ${was ?? 'unknown'}); the plan was to ${c.action} it` };
  }
  // Without a recorded version (an old or hand-made plan) only existence can be compared.
  if (was === undefined || live.resourceVersion === was) return undefined;
  return { kind: 'changed', line: `${c.address}: resourceVersion ${was} → ${live.resourceVersion ?? 'none'}; the plan was to ${c.action} it` };
}

function checkObjects({ plan, live }: StaleCheckInput): Diagnostic[] {
  const moved: Moved[] = [];
  for (const c of plan.changes) {
    if (c.action === 'noop') continue;
    if (!live.has(c.address)) {
      throw new Error(`checkStale: ${c.address} was not looked up (use addressesToCheck(plan)): this is a bug in meshctl, please report it`);
    }
    const m = movedObject(c, live.get(c.address));
    if (m) moved.push(m);
  }
  if (moved.length === 0) return [];
  const n = moved.length;
  const listed = moved.slice(0, maxListed).map((m) => `  - ${m.line}`);
  if (n > maxListed) listed.push(`  - … and ${n - maxListed} more`);
  const summary = n === 1 ? `Object ${moved[0]!.kind} since the plan` : 'Objects changed since the plan';
  return [
    error(
      summary,
      `The plan would act on ${n === 1 ? 'an object' : 'objects'} that changed in ${n === 1 ? 'its cluster' : 'their clusters'} after it was made, so it may undo someone else's change or fail halfway:\n${listed.join('\n')}\n${again}`,
    ),
  ];
}
