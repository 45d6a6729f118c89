// `meshctl state push FILE`: replace the stored state with FILE, exactly (serial kept), e.g.
// to move it to the backend mesh.yaml now names. FILE must be a state of this mesh; under
// the lock it must also be a later version of the stored one (same lineage, newer serial),
// unless --force (Terraform's `state push -force`). The write is a compare-and-swap against
// the state read under the lock.
import * as path from 'node:path';
import { DiagnosticsError, fail } from '../diagnostics.js';
import { parseState } from '../state/read.js';
import type { MeshState } from '../state/state.js';
import { ExitCode, type CliIO } from './io.js';
import type { StatePushOptions } from './options.js';
import type { Config } from './session.js';
import { withStateLock } from './state-session.js';
import { MAX_PLAN_OR_STATE_BYTES, readFailure, readTextBoundedSync } from '../fs/read-bounded.js';

export async function runStatePush(config: Config, options: StatePushOptions, ctx: { io: CliIO }): Promise<number> {
  const { io } = ctx;
  const { file, text } = await readSource(options.source, io);
  const parsed = parseState(text, { file, meshID: config.topology.meshID });
  if (!parsed.state) throw new DiagnosticsError(parsed.diagnostics.map((d) => ({ ...d, detail: `${d.detail} Nothing was pushed.` })));
  const incoming = parsed.state;
  const where = config.state.where;
  return withStateLock(config, { operation: 'state push', timeoutMs: options.lockTimeoutMs, io }, async () => {
    const current = await config.state.read();
    if (current && current.lineage === incoming.lineage && current.serial === incoming.serial && sameContent(current, incoming)) {
      io.stdout.write(`${where} already holds ${file} (serial ${current.serial}, lineage ${current.lineage}). Nothing was written.\n`);
      return ExitCode.ok;
    }
    if (current && !options.force) refuseUnlessNewer({ current, incoming, file, where });
    await config.state.write(incoming, { base: current ? { lineage: current.lineage, serial: current.serial } : null });
    const held = !current ? 'it held no state' : current.lineage === incoming.lineage ? `it held serial ${current.serial}` : `it held serial ${current.serial} of lineage ${current.lineage}`;
    io.stdout.write(`Pushed ${file} to ${where}: serial ${incoming.serial}, lineage ${incoming.lineage} (${held}).\n`);
    return ExitCode.ok;
  });
}

/** Terraform's rules: the same lineage, and a newer serial (the same serial only with the same content). */
function refuseUnlessNewer(o: { current: MeshState; incoming: MeshState; file: string; where: string }): void {
  const { current, incoming, file, where } = o;
  const force = 'Nothing was pushed. If FILE is the state you mean to keep, --force replaces the stored state with it.';
  if (current.lineage !== incoming.lineage) {
    fail(
      'State lineage differs',
      `${file} is of lineage ${incoming.lineage}, but ${where} holds lineage ${current.lineage} (serial ${current.serial}): they are not versions of one state (each began with a first apply of its own), and pushing would forget what the stored one records. ${force}`,
      { hint: 'meshctl state pull prints the stored state, to compare.' },
    );
  }
  if (incoming.serial < current.serial) {
    fail('Pushed state is older', `${file} is serial ${incoming.serial}, but ${where} holds serial ${current.serial} of the same lineage: pushing would forget what was recorded since. ${force}`, {
      hint: 'meshctl state pull prints the stored state, to compare.',
    });
  }
  if (incoming.serial === current.serial) {
    fail(
      'Pushed state differs at the same serial',
      `${file} and ${where} are both serial ${current.serial} of lineage ${current.lineage}, but their content differs: one of them was edited, or was written by a run that ignored the lock. ${force}`,
      { hint: 'meshctl state pull prints the stored state, to compare.' },
    );
  }
}

/** FILE's text (/dev/stdin reads a pipe: meshctl state pull | … | meshctl state push /dev/stdin). */
async function readSource(source: string, io: CliIO): Promise<{ file: string; text: string }> {
  const file = path.resolve(io.cwd, source);
  try {
    return { file, text: readTextBoundedSync(file, { maxBytes: MAX_PLAN_OR_STATE_BYTES }) };
  } catch (e) {
    fail('Cannot read state file', `${readFailure(file, e)}. Nothing was pushed.`);
  }
}

/** Equal but for which meshctl last wrote it: key order and layout do not count. */
function sameContent(a: MeshState, b: MeshState): boolean {
  return canonical({ ...a, meshctlVersion: '' }) === canonical({ ...b, meshctlVersion: '' });
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
