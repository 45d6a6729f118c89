// Flags: the yargs builders the commands share, and one parser per command family that turns
// yargs' bag of values into typed options once, at the top of the handler. A value that makes no
// sense is refused there as the user's mistake, before anything is read or locked.
import type { Argv } from 'yargs';
import { fail } from '../diagnostics.js';
import type { PlanMode } from '../planner/plan.js';

export function commonOptions(y: Argv): Argv {
  return y
    .option('file', { alias: 'f', type: 'string', default: 'mesh.yaml', describe: 'The mesh definition' })
    .option('state', { type: 'string', describe: 'State file (default: meshctl.state.json beside mesh.yaml)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file for clusters that do not name their own (default: KUBECONFIG, ~/.kube/config)' })
    .option('istioctl', { type: 'string', describe: 'istioctl binary of the Istio version in mesh.yaml (default: MESHCTL_ISTIOCTL, then PATH)' })
    .option('istioctl-dir', {
      type: 'string',
      requiresArg: true,
      describe: 'Directory of istioctl binaries, one per Istio version: istioctl-<version>, or istio-<version>/bin/istioctl as release archives unpack (default: MESHCTL_ISTIOCTL_DIR)',
    })
    .option('color', { type: 'boolean', default: true, describe: 'Colour the output (--no-color; also off with NO_COLOR or when not a terminal)' })
    .option('new-root', {
      type: 'boolean',
      default: false,
      describe:
        'plan and apply, generated trust: create a new root CA although the clusters run on one meshctl cannot find (breaks cross-cluster mTLS until every workload has the new root; docs/trust.md)',
    });
}

/** plan, apply and destroy: what a plan may do about clusters that cannot be read. */
export function planningOptions(y: Argv): Argv {
  return y.option('forget-unreachable', {
    type: 'boolean',
    default: false,
    describe: 'A cluster taken out of mesh.yaml that cannot be reached: forget what the state records there instead of keeping it (the cluster itself is not touched; docs/model.md)',
  });
}

export function lockOptions(y: Argv): Argv {
  return (
    y
      .option('lock-timeout', { type: 'string', default: '0s', requiresArg: true, describe: 'How long to wait for the state lock (e.g. 30s, 2m)' })
      .option('wait-timeout', { type: 'string', default: '5m', requiresArg: true, describe: 'How long to wait for each readiness condition' })
      // No yargs type: as a number, "abc" became NaN, which lifted the limit instead of failing.
      .option('parallelism', { default: 10, requiresArg: true, describe: 'How many units may run at once (a whole number, at least 1)' })
  );
}

export type PlanFormat = 'human' | 'json' | 'markdown';

export const formatOptions = {
  json: { type: 'boolean', default: false, describe: 'Print the plan as JSON (schemas/plan.schema.json)' },
  format: { type: 'string', choices: ['human', 'json', 'markdown'], default: 'human', describe: 'Output format; markdown is for pull-request comments' },
} as const;

type Args = Record<string, unknown>;

/** What the gather stage needs to find mesh.yaml, the state, the clusters and istioctl. */
export interface InputOptions {
  readonly file: string;
  /** --state, else meshctl.state.json beside mesh.yaml. */
  readonly state?: string;
  readonly kubeconfig?: string;
  readonly istioctl?: string;
  /** --istioctl-dir, as typed (relative to the working directory). */
  readonly istioctlDir?: string;
  /** --new-root: generated trust may create a new root for a mesh that runs on another. */
  readonly newRoot?: boolean;
  /** --forget-unreachable: a departed cluster that cannot be read is forgotten, not kept. */
  readonly forgetUnreachable?: boolean;
}

export interface ApplyOptions extends InputOptions {
  /** --color / --no-color as given (NO_COLOR and terminals are weighed by useColor). */
  readonly color: boolean;
  readonly json: boolean;
  readonly autoApprove: boolean;
  /** apply PLANFILE, as typed (relative to the working directory). */
  readonly planFile?: string;
  readonly lockTimeoutMs: number;
  readonly waitTimeoutMs: number;
  readonly parallelism: number;
  /** --verify (default): run verify's checks once the apply succeeded. */
  readonly verify: boolean;
}

export interface PlanOptions extends InputOptions {
  readonly color: boolean;
  readonly format: PlanFormat;
  /** --out, as typed. */
  readonly out?: string;
  readonly mode: PlanMode;
  readonly detailedExitcode: boolean;
}

export interface ValidateOptions {
  readonly file: string;
  readonly json: boolean;
  readonly color: boolean;
}

export interface VerifyOptions extends InputOptions {
  readonly color: boolean;
  readonly json: boolean;
}

export interface ShowOptions {
  readonly planFile: string;
  readonly color: boolean;
  readonly format: PlanFormat;
}

export interface ForceUnlockOptions extends InputOptions {
  readonly id: string;
}

const str = (a: Args, k: string) => (typeof a[k] === 'string' ? a[k] : undefined);

function inputOptions(a: Args): InputOptions {
  if (str(a, 'istioctl') !== undefined && str(a, 'istioctl-dir') !== undefined) {
    usage('--istioctl names one istioctl binary and --istioctl-dir a directory of them, one per version: give one of the two.');
  }
  return {
    file: str(a, 'file') ?? 'mesh.yaml',
    state: str(a, 'state'),
    kubeconfig: str(a, 'kubeconfig'),
    istioctl: str(a, 'istioctl'),
    istioctlDir: str(a, 'istioctl-dir'),
    newRoot: a['new-root'] === true,
    forgetUnreachable: a['forget-unreachable'] === true,
  };
}

function formatOf(a: Args): PlanFormat {
  if (a['json'] === true) return 'json';
  const f = a['format'];
  return f === 'json' || f === 'markdown' ? f : 'human';
}

/** apply and destroy (destroy has no PLANFILE). */
export function parseApplyOptions(a: Args): ApplyOptions {
  return {
    ...inputOptions(a),
    color: a['color'] !== false,
    json: a['json'] === true,
    autoApprove: a['auto-approve'] === true,
    planFile: str(a, 'planfile'),
    lockTimeoutMs: parseDuration(a['lock-timeout'] ?? '0s', { flag: 'lock-timeout', allowZero: true }),
    waitTimeoutMs: parseDuration(a['wait-timeout'] ?? '5m', { flag: 'wait-timeout', allowZero: false }),
    parallelism: parseParallelism(a['parallelism'] ?? 10),
    verify: a['verify'] !== false,
  };
}

export function parsePlanOptions(a: Args): PlanOptions {
  if (a['destroy'] === true && a['refresh-only'] === true) {
    usage('--destroy and --refresh-only cannot be combined: one plans taking the mesh down, the other only reports drift. Pass one of them.');
  }
  return {
    ...inputOptions(a),
    color: a['color'] !== false,
    format: formatOf(a),
    out: str(a, 'out'),
    mode: a['destroy'] === true ? 'destroy' : a['refresh-only'] === true ? 'refresh-only' : 'apply',
    detailedExitcode: a['detailed-exitcode'] === true,
  };
}

export function parseValidateOptions(a: Args): ValidateOptions {
  return { file: str(a, 'file') ?? 'mesh.yaml', json: a['json'] === true, color: a['color'] !== false };
}

export function parseVerifyOptions(a: Args): VerifyOptions {
  return { ...inputOptions(a), color: a['color'] !== false, json: a['json'] === true };
}

export function parseShowOptions(a: Args): ShowOptions {
  return { planFile: String(a['planfile']), color: a['color'] !== false, format: formatOf(a) };
}

export function parseForceUnlockOptions(a: Args): ForceUnlockOptions {
  return { ...inputOptions(a), id: String(a['id']) };
}

function usage(detail: string): never {
  fail('Invalid option', detail, { hint: "The command's --help lists its options and the values they take." });
}

function parseParallelism(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  usage(`--parallelism ${JSON.stringify(String(v))} is not a whole number of at least 1. It says how many units may run at once (default 10).`);
}

/** "30s", "2m", "1h", "500ms" or plain seconds → milliseconds. */
export function parseDuration(v: unknown, o: { flag: string; allowZero: boolean }): number {
  const text = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) {
    const why = /^-\d/.test(text) ? 'cannot be negative' : 'is not a duration';
    usage(`--${o.flag} ${JSON.stringify(String(v))} ${why}: give a duration like 30s, 2m or 1h (a plain number is seconds).`);
  }
  const unit = m[2] ?? 's';
  const ms = Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
  if (ms === 0 && !o.allowZero) usage(`--${o.flag} ${JSON.stringify(String(v))} would give up before anything could become ready: give a duration like 30s, 2m or 1h.`);
  return ms;
}

// meshctl state list | show | rm | mv | pull | push (one yargs command, state.ts; one parser here).

export const STATE_SUBCOMMANDS = ['list', 'show', 'rm', 'mv', 'pull', 'push'] as const;
export type StateSubcommand = (typeof STATE_SUBCOMMANDS)[number];

/** mesh.yaml (it names the mesh and the state backend) and where the state is; no clusters, no istioctl. */
export type StateInputOptions = Pick<InputOptions, 'file' | 'state' | 'kubeconfig'>;

export interface StateListOptions extends StateInputOptions {
  readonly subcommand: 'list';
  /** Whole address segments: "cluster1" selects cluster1/…, never cluster10/…. None: everything. */
  readonly prefixes: readonly string[];
  readonly json: boolean;
}

export interface StateShowOptions extends StateInputOptions {
  readonly subcommand: 'show';
  /** An object address or a unit ID. */
  readonly address: string;
}

export interface StateRmOptions extends StateInputOptions {
  readonly subcommand: 'rm';
  /** Object addresses and unit IDs (a unit goes with its objects). */
  readonly addresses: readonly string[];
  readonly dryRun: boolean;
  /** --backup, as typed; else meshctl.state.<timestamp>.backup.json beside mesh.yaml. */
  readonly backup?: string;
  readonly lockTimeoutMs: number;
}

export interface StateMvOptions extends StateInputOptions {
  readonly subcommand: 'mv';
  /** The cluster's name in the state, and its new name in mesh.yaml. */
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly backup?: string;
  readonly lockTimeoutMs: number;
}

export interface StatePullOptions extends StateInputOptions {
  readonly subcommand: 'pull';
}

export interface StatePushOptions extends StateInputOptions {
  readonly subcommand: 'push';
  /** FILE as typed (relative to the working directory). */
  readonly source: string;
  /** Store it even when its lineage differs or its serial is not newer (Terraform's -force). */
  readonly force: boolean;
  readonly lockTimeoutMs: number;
}

export type StateOptions = StateListOptions | StateShowOptions | StateRmOptions | StateMvOptions | StatePullOptions | StatePushOptions;

/** Flags given to a subcommand they mean nothing to (state.ts declares them without defaults, so "given" is visible). */
const STATE_FLAGS: Readonly<Record<string, readonly StateSubcommand[]>> = {
  json: ['list'],
  'dry-run': ['rm', 'mv'],
  backup: ['rm', 'mv'],
  force: ['push'],
  'lock-timeout': ['rm', 'mv', 'push'],
};

export function parseStateOptions(a: Args): StateOptions {
  const sub = a['subcommand'];
  if (typeof sub !== 'string' || !(STATE_SUBCOMMANDS as readonly string[]).includes(sub)) stateArguments(`Name a subcommand: meshctl state ${STATE_SUBCOMMANDS.join(' | ')}.`);
  const subcommand = sub as StateSubcommand;
  for (const [flag, takers] of Object.entries(STATE_FLAGS)) {
    if (a[flag] !== undefined && !takers.includes(subcommand)) usage(`--${flag} is for meshctl state ${andList(takers)}, not meshctl state ${subcommand}.`);
  }
  const positional = (Array.isArray(a['args']) ? a['args'] : []).map(String);
  const base: StateInputOptions = { file: str(a, 'file') ?? 'mesh.yaml', state: str(a, 'state'), kubeconfig: str(a, 'kubeconfig') };
  const lockTimeoutMs = () => parseDuration(a['lock-timeout'] ?? '0s', { flag: 'lock-timeout', allowZero: true });
  switch (subcommand) {
    case 'list':
      return { ...base, subcommand, prefixes: positional, json: a['json'] === true };
    case 'show':
      if (positional.length !== 1) stateArguments(`meshctl state show takes one ADDRESS (an object address or a unit ID, as meshctl state list prints them); it was given ${positional.length}.`);
      return { ...base, subcommand, address: positional[0]! };
    case 'rm':
      if (positional.length === 0) stateArguments('meshctl state rm takes the ADDRESS of at least one object or unit to forget (meshctl state list prints them).');
      return { ...base, subcommand, addresses: positional, dryRun: a['dry-run'] === true, backup: str(a, 'backup'), lockTimeoutMs: lockTimeoutMs() };
    case 'mv':
      if (positional.length !== 2) stateArguments(`meshctl state mv takes two cluster names, OLD (as the state records it) and NEW (as mesh.yaml now names it); it was given ${positional.length}.`);
      if (positional.some((p) => p.includes('/'))) {
        stateArguments(
          `meshctl state mv moves a whole cluster's records to its new name (meshctl state mv cluster2 west); ${positional.find((p) => p.includes('/'))} is an address. An object's address follows from mesh.yaml, so one object or unit is never moved alone.`,
        );
      }
      return { ...base, subcommand, from: positional[0]!, to: positional[1]!, dryRun: a['dry-run'] === true, backup: str(a, 'backup'), lockTimeoutMs: lockTimeoutMs() };
    case 'pull':
      if (positional.length !== 0) stateArguments(`meshctl state pull takes no arguments (it prints the state on standard output); it was given ${positional.join(' ')}.`);
      return { ...base, subcommand };
    case 'push':
      if (positional.length !== 1) stateArguments(`meshctl state push takes one FILE, the state to store; it was given ${positional.length}.`);
      return { ...base, subcommand, source: positional[0]!, force: a['force'] === true, lockTimeoutMs: lockTimeoutMs() };
  }
}

/** "rm", "rm and push", "rm, mv and push" */
function andList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function stateArguments(detail: string): never {
  fail('Invalid arguments', detail, { hint: 'meshctl state --help lists the subcommands and what each takes.' });
}
