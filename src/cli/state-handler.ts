// The body of `meshctl state …`, loaded only when it runs. list, show and pull read the state
// as plan does (no lock: they change nothing); rm, mv and push lock first, then read, as apply
// does (state-rm.ts, state-mv.ts, state-push.ts). None of them reaches a cluster of the mesh.
import { serializeState } from '../state/read.js';
import { stateListJson, stateListText } from '../views/state-list.js';
import { objectRecordText, unitRecordText } from '../views/state-show.js';
import { ExitCode, type CliIO } from './io.js';
import { parseStateOptions, type StateListOptions, type StateShowOptions } from './options.js';
import { defaultPorts, type Ports } from './ports.js';
import { closeConfig, type Config } from './session.js';
import { lookup, notInState, selectListing } from './state-addresses.js';
import { runStateMv } from './state-mv.js';
import { runStatePush } from './state-push.js';
import { runStateRm } from './state-rm.js';
import { existingState, headerOf, stateConfig } from './state-session.js';

export async function runState(args: Record<string, unknown>, io: CliIO, ports: Ports = defaultPorts()): Promise<number> {
  const options = parseStateOptions(args);
  const config = stateConfig(options, { io, ports });
  try {
    switch (options.subcommand) {
      case 'list':
        return await list(config, options, io);
      case 'show':
        return await show(config, options, io);
      case 'pull':
        io.stdout.write(serializeState(await existingState(config)));
        return ExitCode.ok;
      case 'rm':
        return await runStateRm(config, options, { io, ports });
      case 'mv':
        return await runStateMv(config, options, { io, ports });
      case 'push':
        return await runStatePush(config, options, { io });
    }
  } finally {
    closeConfig(config);
  }
}

async function list(config: Config, options: StateListOptions, io: CliIO): Promise<number> {
  const state = await existingState(config);
  const listing = { header: headerOf(config, state), units: selectListing(state, options.prefixes, config.state.where), prefixes: options.prefixes };
  io.stdout.write(options.json ? stateListJson(listing) : stateListText(listing));
  return ExitCode.ok;
}

async function show(config: Config, options: StateShowOptions, io: CliIO): Promise<number> {
  const state = await existingState(config);
  const named = lookup(state, options.address);
  if (!named) throw notInState([options.address], { state, where: config.state.where, prefixes: false });
  io.stdout.write(named.kind === 'object' ? objectRecordText(named.address, named.record) : unitRecordText(named.unit));
  return ExitCode.ok;
}
