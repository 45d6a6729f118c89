// Flags shared by the commands that talk to clusters.
import type { Argv } from 'yargs';
import type { CommonArgs } from './session.js';

export function commonOptions(y: Argv): Argv {
  return y
    .option('file', { alias: 'f', type: 'string', default: 'mesh.yaml', describe: 'The mesh definition' })
    .option('state', { type: 'string', describe: 'State file (default: meshctl.state.json beside mesh.yaml)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file for clusters that do not name their own (default: KUBECONFIG, ~/.kube/config)' })
    .option('istioctl', { type: 'string', describe: 'istioctl binary of the Istio version in mesh.yaml (default: MESHCTL_ISTIOCTL, then PATH)' })
    .option('color', { type: 'boolean', default: true, describe: 'Colour the output (--no-color; also off with NO_COLOR or when not a terminal)' });
}

export function lockOptions(y: Argv): Argv {
  return y
    .option('lock-timeout', { type: 'string', default: '0s', describe: 'How long to wait for the state lock (e.g. 30s, 2m)' })
    .option('wait-timeout', { type: 'string', default: '5m', describe: 'How long to wait for each readiness condition' })
    .option('parallelism', { type: 'number', default: 10, describe: 'How many units may run at once' });
}

export function commonArgs(a: Record<string, unknown>): CommonArgs {
  const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
  return { file: str('file') ?? 'mesh.yaml', state: str('state'), kubeconfig: str('kubeconfig'), istioctl: str('istioctl') };
}

/** "30s", "2m", "1h", "500ms" or plain seconds → milliseconds. */
export function parseDuration(v: unknown, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(v ?? '').trim());
  if (!m) throw new Error(`--${flag}: "${String(v)}" is not a duration like 30s, 2m or 1h`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}
