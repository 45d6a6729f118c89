// `npm run clusters -- up|down|status|serve|help`: local clusters for people (USAGE below).
// `up` runs `serve` detached; the daemon (daemon.ts) owns the clusters and the simulator.
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { ensureBins } from './bins.js';
import { get } from './readiness.js';
import { SIMULATED_EFFECTS, SIMULATOR_OFF_ENV, effectsOff } from './simulator/effects.js';
import { isAlive } from './processes.js';
import { DEFAULT_STATE_DIR, daemonLogPath, kubeconfigPath, readState } from './state-file.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const USAGE = `usage: npm run clusters -- <command> [--count N] [--dir DIR] [--sim-off EFFECTS]

commands:
  up      build the binaries if needed, start N clusters (default 2) and the simulator in the
          background, print the kubeconfig and \`export KUBECONFIG=...\`
  down    stop the clusters and remove the state directory's files
  status  health of the daemon and of each cluster (exit 1 when anything is unhealthy)
  serve   the same as up, in the foreground (Ctrl-C stops it)
  help    this text (also --help, -h)

options:
  --count N          clusters to start, 1 to 48 (default 2)
  --dir DIR          state directory (default ${DEFAULT_STATE_DIR})
  --sim-off EFFECTS  simulated effects to switch off (default $${SIMULATOR_OFF_ENV}), comma-separated:
                     ${SIMULATED_EFFECTS.join(', ')}, or all`;

const COMMANDS = ['up', 'down', 'status', 'serve'];

/** A wrong command line: the message and the usage on stderr, exit 2, no stack trace. */
function usageError(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function commandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        count: { type: 'string', default: '2' },
        dir: { type: 'string', default: DEFAULT_STATE_DIR },
        'sim-off': { type: 'string' },
        'bin-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
}

const { positionals, values } = commandLine();
if (values.help || positionals[0] === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length === 0) usageError('no command given');
if (!COMMANDS.includes(positionals[0]!)) usageError(`unknown command "${positionals[0]}"`);
if (positionals.length > 1) usageError(`unexpected argument "${positionals[1]}"`);
const dir = resolve(values.dir);

const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 48) usageError(`--count must be an integer from 1 to 48, got "${values.count}"`);

const simOff = values['sim-off'] ?? process.env[SIMULATOR_OFF_ENV] ?? '';
// Checked before anything starts, and before `up` goes to the background.
try {
  effectsOff(simOff);
} catch (err) {
  usageError((err as Error).message);
}

async function up(): Promise<void> {
  const existing = readState(dir);
  if (existing && isAlive(existing.daemonPid)) {
    throw new Error(`Clusters already run from ${dir} (daemon pid ${existing.daemonPid}); run \`npm run clusters -- down\` first.`);
  }
  const binDir = await ensureBins({ onProgress: (line) => console.error(line) });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const log = openSync(daemonLogPath(dir), 'w', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'serve', '--dir', dir, '--count', String(count), '--bin-dir', binDir, '--sim-off', simOff], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  console.error(`Starting ${count} clusters (daemon pid ${child.pid}, log ${daemonLogPath(dir)}) ...`);
  for (;;) {
    await sleep(250);
    const state = readState(dir);
    if (state?.phase === 'ready') {
      console.log(`${state.info.contexts.length} clusters ready in ${(state.startMs / 1000).toFixed(1)} s: contexts ${state.info.contexts.join(', ')}`);
      for (const c of state.info.clusters) console.log(`  ${c.context}  ${c.server}  LoadBalancer IPs from ${c.loadBalancerCidr}`);
      console.log(`kubeconfig: ${state.info.kubeconfigPath}`);
      console.log(`export KUBECONFIG=${state.info.kubeconfigPath}`);
      console.log(`export MESHCTL_BIN_DIR=${binDir}  # kubectl, istioctl`);
      return;
    }
    if (state?.phase === 'failed') throw new Error(state.error);
    if (child.exitCode !== null || (child.pid && !isAlive(child.pid))) {
      throw new Error(`The clusters daemon exited during start; see ${daemonLogPath(dir)}:\n${readFileSync(daemonLogPath(dir), 'utf8').slice(-3000)}`);
    }
  }
}

async function down(): Promise<void> {
  const state = readState(dir);
  if (state && isAlive(state.daemonPid)) {
    process.kill(state.daemonPid, 'SIGTERM');
    for (let i = 0; i < 120 && isAlive(state.daemonPid); i++) await sleep(250);
    if (isAlive(state.daemonPid)) process.kill(state.daemonPid, 'SIGKILL');
  }
  // Children die with the daemon (PR_SET_PDEATHSIG); this catches anything that did not.
  const pids = state?.phase === 'ready' ? state.info.clusters.flatMap((c) => c.pids) : [];
  for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
  if (state?.phase === 'ready') await rm(state.setDir, { recursive: true, force: true });
  for (const f of ['state.json', 'kubeconfig', 'daemon.log']) await rm(resolve(dir, f), { force: true });
  await rmdir(dir).catch(() => undefined); // only if empty: never delete files we did not make
  console.log(state ? `Stopped the clusters of ${dir}.` : `Nothing running from ${dir}.`);
}

async function status(): Promise<number> {
  const state = readState(dir);
  if (!state) {
    console.log(`No clusters from ${dir}.`);
    return 1;
  }
  const daemonUp = isAlive(state.daemonPid);
  console.log(`daemon pid ${state.daemonPid}: ${daemonUp ? 'running' : 'NOT running'} (${state.phase})`);
  if (state.phase !== 'ready') return 1;
  const kubeconfig = parse(readFileSync(kubeconfigPath(dir), 'utf8')) as {
    clusters: Array<{ name: string; cluster: Record<string, string> }>;
    users: Array<{ name: string; user: Record<string, string> }>;
  };
  const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
  let healthy = daemonUp;
  for (const c of state.info.clusters) {
    const cluster = kubeconfig.clusters.find((x) => x.name === c.context)?.cluster ?? {};
    const user = kubeconfig.users.find((x) => x.name === `${c.context}-admin`)?.user ?? {};
    const dead = c.pids.filter((p) => !isAlive(p));
    let readyz = 'unreachable';
    try {
      const res = await get(`${c.server}/readyz`, { ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) });
      readyz = res.status === 200 ? 'ok' : `HTTP ${res.status}`;
    } catch (err) {
      readyz = (err as Error).message;
    }
    const ok = readyz === 'ok' && dead.length === 0;
    healthy &&= ok;
    console.log(`  ${c.context}  ${c.server}  readyz ${readyz}  processes ${c.pids.length - dead.length}/${c.pids.length} running${ok ? '' : '  UNHEALTHY'}`);
  }
  console.log(`export KUBECONFIG=${kubeconfigPath(dir)}`);
  return healthy ? 0 : 1;
}

async function serve(): Promise<void> {
  const binDir = values['bin-dir'] ?? (await ensureBins({ onProgress: (line) => console.error(line) }));
  // Loaded only here: it pulls in @kubernetes/client-node, which `up`, `down` and `status` do
  // not need and which is slow to load.
  const { runDaemon } = await import('./daemon.js');
  await runDaemon({ dir, binDir, count, simulatorEffects: effectsOff(simOff), log: (line) => console.log(`${new Date().toISOString()} ${line}`) });
}

try {
  switch (positionals[0]) {
    case 'up':
      await up();
      break;
    case 'down':
      await down();
      break;
    case 'status':
      process.exitCode = await status();
      break;
    case 'serve':
      await serve();
      break;
  }
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
}
