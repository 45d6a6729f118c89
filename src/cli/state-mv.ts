// `meshctl state mv OLD NEW`: a cluster renamed in mesh.yaml keeps its objects (Terraform's
// `state mv`, for the one thing whose address a user chooses here: a cluster's name). Under the
// lock, as state rm: read, refuse a move that cannot be right (changing nothing), back up, one
// compare-and-swap write. --dry-run reads without the lock and writes nothing.
import { fail } from '../diagnostics.js';
import { isRefusal, planClusterMove, withClusterMoved, type ClusterMove } from '../state/rename-cluster.js';
import type { MeshState } from '../state/state.js';
import { meshctlVersion } from '../version.js';
import { clusterMoveText, type ClusterMoveView } from '../views/state-mv.js';
import { ExitCode, type CliIO } from './io.js';
import type { StateMvOptions } from './options.js';
import type { Ports } from './ports.js';
import type { Config } from './session.js';
import { writeStateBackup } from './state-backup.js';
import { existingState, headerOf, withStateLock } from './state-session.js';

export async function runStateMv(config: Config, options: StateMvOptions, ctx: { io: CliIO; ports: Ports }): Promise<number> {
  const { io } = ctx;
  if (options.dryRun) {
    const state = await existingState(config);
    io.stdout.write(clusterMoveText(viewOf(config, state, checkedMove(config, state, options))));
    return ExitCode.ok;
  }
  return withStateLock(config, { operation: 'state mv', timeoutMs: options.lockTimeoutMs, io }, async () => {
    const state = await existingState(config);
    const move = checkedMove(config, state, options);
    const backup = await writeStateBackup(state, { file: options.file, backup: options.backup, cwd: io.cwd, now: ctx.ports.now() });
    const stored = await config.state.write({ ...withClusterMoved(state, move), meshctlVersion });
    io.stdout.write(clusterMoveText({ ...viewOf(config, state, move), done: { serial: stored.serial, backup } }));
    return ExitCode.ok;
  });
}

/**
 * The move, or an error that changes nothing. The new name must be mesh.yaml's and the old one
 * no longer: state mv follows a rename already made there, so the next plan is coherent (and
 * the new name was validated as an Istio cluster ID).
 */
function checkedMove(config: Config, state: MeshState, o: StateMvOptions): ClusterMove {
  const where = config.state.where;
  const file = config.topology.source.file;
  const named = config.topology.clusters.map((c) => c.name);
  const refuse = (summary: string, detail: string, hint?: string): never => fail(summary, `${detail} Nothing was changed.`, hint ? { hint } : {});
  const move = planClusterMove(state, o.from, o.to);
  if (isRefusal(move)) {
    switch (move.kind) {
      case 'same-name':
        return refuse('Invalid arguments', `meshctl state mv ${o.from} ${o.to} names the same cluster twice.`);
      case 'unknown-source': {
        return refuse(
          'Not in the state',
          `${where} holds no record of a cluster ${o.from}.${move.known.length ? ` Clusters it holds: ${move.known.join(', ')}.` : ''}`,
          'meshctl state list prints what the state holds, each address beginning with its cluster.',
        );
      }
      case 'target-in-use':
        return refuse(
          'Cluster already in the state',
          `${where} already holds ${move.units} unit${move.units === 1 ? '' : 's'} and ${move.objects} object${move.objects === 1 ? '' : 's'} of a cluster ${o.to}: moving ${o.from} there would merge two clusters' records.`,
          `To forget ${o.to}'s records first: meshctl state rm ${o.to}/… (meshctl state list ${o.to} names them).`,
        );
    }
  }
  if (!named.includes(o.to)) {
    refuse(
      'Not in mesh.yaml',
      `${file} names no cluster ${o.to} (it names ${named.join(', ')}). Rename ${o.from} to ${o.to} in mesh.yaml first: state mv moves the state's records to the name mesh.yaml gives the cluster.`,
    );
  }
  if (named.includes(o.from)) {
    refuse('Cluster still in mesh.yaml', `${file} still names ${o.from}: after the move, the next plan would install it again beside ${o.to}. Rename it to ${o.to} in mesh.yaml first.`);
  }
  return move;
}

function viewOf(config: Config, state: MeshState, move: ClusterMove): ClusterMoveView {
  const target = config.topology.clusters.find((c) => c.name === move.to)!;
  return {
    header: headerOf(config, state),
    from: move.from,
    to: move.to,
    units: move.units,
    remoteSecretsIn: [...new Set(move.units.map((u) => u.from.split('/')[0]!).filter((c) => c !== move.from))],
    objects: move.objects.length,
    contexts: { ...(move.connection ? { recorded: move.connection.context } : {}), named: target.context },
  };
}
