// `meshctl state list | show | rm | mv | pull | push`: what the state records, read and edited
// without touching any cluster (Terraform's `terraform state` commands). One yargs command
// whose first positional names the subcommand: Command.run is the only way a handler reaches
// the io and ports main() holds, and a nested yargs command's handler would not be given them.
// Flags that belong to one subcommand are declared without defaults, so parseStateOptions can
// refuse them elsewhere (--dry-run on list) instead of ignoring them.
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { STATE_SUBCOMMANDS } from './options.js';

const USAGE = `$0 state <subcommand> [args..]

What the state records, read and edited without touching any cluster.

  meshctl state list [ADDRESS-PREFIX...]  units and their objects (--json)
  meshctl state show ADDRESS              an object's record and what meshctl applied, or a unit's
  meshctl state rm ADDRESS...             forget objects or units; the clusters keep them
  meshctl state mv OLD NEW                a cluster renamed in mesh.yaml keeps its objects
  meshctl state pull                      print the state as stored
  meshctl state push FILE                 store FILE as the state (moving it between backends)`;

export const stateCommand: Command = {
  command: 'state <subcommand> [args..]',
  changes: (args) => ['rm', 'mv', 'push'].includes(String(args['subcommand'])),
  describe: 'List, show, remove (rm), move (mv), pull or push what the state records',
  builder: (y: Argv) =>
    y
      .usage(USAGE)
      .positional('subcommand', { choices: STATE_SUBCOMMANDS, describe: 'What to do' })
      .positional('args', { type: 'string', array: true, describe: 'list: ADDRESS-PREFIX...; show: ADDRESS; rm: ADDRESS...; mv: OLD NEW; push: FILE' })
      .option('file', { alias: 'f', type: 'string', default: 'mesh.yaml', describe: 'The mesh definition (names the mesh and where its state is)' })
      .option('state', { type: 'string', describe: 'State file (default: as mesh.yaml says; meshctl.state.json beside it)' })
      .option('kubeconfig', { type: 'string', describe: 'kubeconfig file for a Kubernetes state backend that names none' })
      .option('json', { type: 'boolean', describe: 'list: print JSON (units and objects, for scripts)' })
      .option('dry-run', { type: 'boolean', describe: 'rm, mv: show what would change and change nothing' })
      .option('backup', { type: 'string', requiresArg: true, describe: 'rm, mv: where to save the state as it was (default: meshctl.state.<timestamp>.backup.json beside mesh.yaml)' })
      .option('force', { type: 'boolean', describe: 'push: store FILE even if its lineage differs or its serial is not newer than the stored state' })
      .option('lock-timeout', { type: 'string', requiresArg: true, describe: 'rm, mv, push: how long to wait for the state lock (e.g. 30s, 2m; default 0s)' })
      .example('$0 state list cluster1/control-plane', 'The control-plane unit of cluster1 and its objects')
      .example('$0 state show cluster1/control-plane', "A unit's record and its objects")
      .example('$0 state rm --dry-run cluster2/remote-secret', 'What forgetting that unit would forget')
      .example('$0 state mv cluster2 west', 'After renaming cluster2 to west in mesh.yaml: keep its objects')
      .example('$0 state push meshctl.state.json', 'After switching mesh.yaml to state.kubernetes: move the local state there'),
  run: async (args, io, ports) => (await import('./state-handler.js')).runState(args, io, ports),
};
