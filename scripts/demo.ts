// `npm run demo`: meshctl's main job on local clusters it starts itself. Builds (or reuses)
// the real binaries, starts two local clusters in the background, writes the guide's
// mesh.yaml (primary-remote on different networks), then validate → plan → apply → plan
// again → show the state. The clusters stay up so you can look around; `npm run demo -- --down`
// (or `npm run clusters -- down --dir .meshctl/demo/clusters`) stops them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const demoDir = join(root, '.meshctl', 'demo');
const clustersDir = join(demoDir, 'clusters');
const kubeconfig = join(clustersDir, 'kubeconfig');

function step(title: string): void {
  process.stdout.write(`\n\u001b[1m==> ${title}\u001b[0m\n`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; allow?: number[] } = {}): number {
  process.stdout.write(`$ ${[cmd === process.execPath ? 'node' : cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env }, stdio: 'inherit' });
  const code = r.status ?? 1;
  if (!(opts.allow ?? [0]).includes(code)) {
    process.stderr.write(`demo: "${cmd} ${args.join(' ')}" exited ${code}\n`);
    process.exit(code);
  }
  return code;
}

const harness = [process.execPath, ['--import', 'tsx', join(root, 'test/harness/cli.ts')]] as const;

if (process.argv.includes('--down')) {
  step('Stopping the demo clusters');
  run(harness[0], [...harness[1], 'down', '--dir', clustersDir]);
  process.exit(0);
}

step('Building meshctl');
run('npm', ['run', 'build']);

step('Starting two local Kubernetes clusters (real etcd, kube-apiserver, kube-controller-manager)');
run(harness[0], [...harness[1], 'up', '--count', '2', '--dir', clustersDir]);
// Cached after the first build: prints the directory of kubectl, istioctl, etc.
const built = spawnSync(join(root, 'tools/bins/build.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const binDir = built.stdout.trim().split('\n').pop()!;

mkdirSync(demoDir, { recursive: true });
if (!existsSync(join(demoDir, 'mesh.yaml'))) copyFileSync(join(root, 'examples/primary-remote-multi-network/mesh.yaml'), join(demoDir, 'mesh.yaml'));
const env = { KUBECONFIG: kubeconfig, MESHCTL_ISTIOCTL: join(binDir, 'istioctl') };
const meshctl = (...args: string[]) => run(process.execPath, [join(root, 'bin/meshctl.js'), ...args], { cwd: demoDir, env, allow: [0, 2] });

step(`The guide as mesh.yaml (${join(demoDir, 'mesh.yaml')})`);
process.stdout.write(readFileSync(join(demoDir, 'mesh.yaml'), 'utf8'));

step('meshctl validate');
meshctl('validate');
step('meshctl plan');
meshctl('plan');
step('meshctl apply --auto-approve');
meshctl('apply', '--auto-approve');
step('meshctl plan --detailed-exitcode   (right after apply: no changes, exit 0)');
meshctl('plan', '--detailed-exitcode');

step('The state file (no secret values in it)');
const state = JSON.parse(readFileSync(join(demoDir, 'meshctl.state.json'), 'utf8')) as {
  lineage: string;
  serial: number;
  units: { id: string; outputs: Record<string, string> }[];
  objects: Record<string, unknown>;
};
process.stdout.write(`lineage ${state.lineage}, serial ${state.serial}, ${Object.keys(state.objects).length} objects in ${state.units.length} units\n`);
for (const u of state.units) process.stdout.write(`  ${u.id}${Object.keys(u.outputs).length ? `  ${JSON.stringify(u.outputs)}` : ''}\n`);

step('Look around');
process.stdout.write(
  [
    `export KUBECONFIG=${kubeconfig}`,
    `${join(binDir, 'kubectl')} --context cluster1 -n istio-system get deploy,svc,gateway,secret`,
    `${join(binDir, 'kubectl')} --context cluster2 get mutatingwebhookconfiguration istio-sidecar-injector -o yaml`,
    `cd ${demoDir} && MESHCTL_ISTIOCTL=${join(binDir, 'istioctl')} node ${join(root, 'bin/meshctl.js')} destroy --auto-approve`,
    'npm run demo -- --down        # stop the clusters',
    '',
  ].join('\n'),
);
