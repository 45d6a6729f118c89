// Fault injection for the kill sweep (docs/resume.md), never part of meshctl: a Node preload that
// makes a meshctl process SIGKILL itself right after its k-th write of the state file.
//
//   MESHCTL_CRASH_STATE=/abs/meshctl.state.json MESHCTL_CRASH_AFTER_WRITE=3 MESHCTL_CRASH_LOG=/tmp/w.log \
//     node --import ./test/harness/crash-after-write.mjs bin/meshctl.js apply --auto-approve
//
// Every state write ends in one rename of a fsynced temporary file onto the state file
// (src/fs/atomic-write.ts). The bundle calls it as a property of node:fs's one shared promises
// object (`import { promises as fs } from 'node:fs'` ... `fs.rename(tmp, file)`), looked up at
// each call, so replacing `rename` on that object here sees every write, wherever it is imported.
//
//   MESHCTL_CRASH_STATE        the state file (resolved against the working directory)
//   MESHCTL_CRASH_AFTER_WRITE  k ≥ 1: SIGKILL right after the k-th rename onto it; unset or 0: count only;
//                              "last": right after the write that completes the apply, the first
//                              state with MESHCTL_CRASH_UNITS units or more, every unit and object in
//                              it applied (the count of a clean apply's writes varies from run to run:
//                              objects answered together share a write)
//   MESHCTL_CRASH_LOG          optional: a line per write, "write <n> <pid>", then "kill <n> <pid>"
//                              before the kill (written synchronously, so it is there after it)
import { appendFileSync, promises as fsp, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const stateFile = process.env.MESHCTL_CRASH_STATE;
if (!stateFile) throw new Error('crash-after-write: MESHCTL_CRASH_STATE is not set');
const target = resolve(stateFile);
const raw = process.env.MESHCTL_CRASH_AFTER_WRITE ?? '0';
const atLast = raw === 'last';
const killAfter = atLast ? 0 : Number(raw);
if (!Number.isInteger(killAfter) || killAfter < 0) throw new Error(`crash-after-write: MESHCTL_CRASH_AFTER_WRITE must be a whole number or "last", got "${raw}"`);
const units = Number(process.env.MESHCTL_CRASH_UNITS ?? 'NaN');
if (atLast && !(units > 0)) throw new Error('crash-after-write: "last" needs MESHCTL_CRASH_UNITS, the units of the complete mesh');
const logFile = process.env.MESHCTL_CRASH_LOG;
const log = (line) => {
  if (logFile) appendFileSync(logFile, `${line} ${process.pid}\n`);
};

/** The state just written is the complete apply: every unit there and applied, no object pending. */
function complete() {
  const s = JSON.parse(readFileSync(target, 'utf8'));
  return s.units.length >= units && s.units.every((u) => u.status === 'applied') && Object.values(s.objects).every((o) => o.status === 'applied');
}

const rename = fsp.rename;
let writes = 0;
fsp.rename = async function renameThenMaybeCrash(from, to) {
  await rename.call(this, from, to);
  if (resolve(String(to)) !== target) return;
  writes += 1;
  log(`write ${writes}`);
  if (atLast ? complete() : writes === killAfter) {
    log(`kill ${writes}`);
    process.kill(process.pid, 'SIGKILL');
  }
};
