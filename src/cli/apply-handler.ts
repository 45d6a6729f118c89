// The shared body of `apply` and `destroy` (Terraform's backend_apply): lock the state, plan
// (or check a saved plan still holds), show it, ask, walk it, persist after every action,
// unlock. A failed unit stops its dependants only; the state keeps everything that did
// happen, so the next run resumes.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { DiagnosticsError, error, fail, warning, type Diagnostic } from '../diagnostics.js';
import { objectAddress, refOf, type KubeObject } from '../kube/object.js';
import type { Unit } from '../model/desired.js';
import { executePlan } from '../executors/execute-plan.js';
import { isEmptyPlan, type Plan, type PlanMode } from '../planner/plan.js';
import { parsePlanFile } from '../planner/plan-file.js';
import { planMismatches } from '../planner/plan-match.js';
import { addressesToCheck, checkStale } from '../planner/stale.js';
import { outputSources, outputsOfUnit } from '../render/outputs.js';
import { resolveUnit } from '../render/resolve.js';
import { StateJournal } from '../state/journal.js';
import { ROOT_GUARD_SUMMARIES } from '../trust/root-guard.js';
import { emptyState, type ClusterConnection } from '../state/state.js';
import { meshctlVersion } from '../version.js';
import { applyOutput, type ApplyOutput } from './apply-output.js';
import { verifyExitCode, verifyInputs } from './verify-handler.js';
import { verifySummaryText } from '../views/verify-human.js';
import { useColor } from './color.js';
import { confirm } from './confirm.js';
import { ExitCode, type CliIO } from './io.js';
import { parseApplyOptions, type ApplyOptions } from './options.js';
import { defaultPorts, type Ports } from './ports.js';
import { allClients, closeConfig, loadConfig, makePlan, withPrior, withTrust, type Inputs, type PlanContext } from './session.js';
import { readPlanText } from './read-plan-file.js';

export async function runApply(args: Record<string, unknown>, io: CliIO, o: { mode: Extract<PlanMode, 'apply' | 'destroy'>; ports?: Ports }): Promise<number> {
  const options = parseApplyOptions(args);
  const { mode } = o;
  const ports = o.ports ?? defaultPorts();
  const out = applyOutput({ json: options.json, color: useColor(options, io), errColor: useColor(options, io, 'stderr'), io, now: ports.now });
  out.start();
  const savedPlan = options.planFile !== undefined ? await readSavedPlan(path.resolve(io.cwd, options.planFile)) : undefined;
  const config = loadConfig(options, { io, ports });
  out.diagnostics(config.warnings, config.sources);
  // Lock first, then read: a run that waited for another must plan from what that run wrote.
  const lock = await config.state
    .lock({
      operation: mode,
      version: meshctlVersion,
      timeoutMs: options.lockTimeoutMs,
      onWait: (h) => out.note(`Waiting up to ${Math.round(options.lockTimeoutMs / 1000)}s for the state lock held by ${h.who} (pid ${h.pid}, "${h.operation}")...\n`),
      onTakeover: (m) => out.diagnostics([warning('State lock taken over', m)]),
      onLost: (m) => out.diagnostics([warning('State lock lost', m)]),
    })
    .catch((e: unknown) => {
      closeConfig(config);
      throw e;
    });
  let inputs: Inputs | undefined;
  try {
    // A saved plan that forgets an unreachable cluster is planned again the same way.
    const forgetUnreachable = config.forgetUnreachable || (savedPlan?.notices ?? []).some((n) => n.kind === 'cluster-unreachable' && n.forgotten);
    inputs = withPrior({ ...config, forgetUnreachable }, await config.state.read());
    const planned = await makePlan(inputs, {
      mode: savedPlan?.mode === 'destroy' ? 'destroy' : mode,
      istioctl: { binary: options.istioctl, dir: options.istioctlDir },
      env: io.env,
      cwd: io.cwd,
      ports,
    });
    if (savedPlan) refuseIfStale(savedPlan, planned, inputs);
    out.plan(planned.plan, { statePath: inputs.state.where });
    // Nothing to do (Terraform's "No changes"): no question, and the state is left as it is,
    // serial included, so a plan saved against it stays valid.
    if (isEmptyPlan(planned.plan)) return mode === 'apply' ? await verifyAfterApply(inputs, options, ports, out) : ExitCode.ok;
    // A saved plan was reviewed already (Terraform applies it without asking again).
    if (!savedPlan && !options.autoApprove) {
      const what = mode === 'destroy' ? 'Do you really want to destroy the mesh?' : 'Do you want to perform these actions?';
      if (options.json || !io.stdin.isTTY) {
        fail(
          'No approval',
          `meshctl ${mode} needs approval and there is no terminal to ask on. Review the plan and run again with --auto-approve, or apply a saved plan (meshctl plan --out plan.json; meshctl apply plan.json).`,
        );
      }
      if (!(await confirm(io, what))) {
        out.note(`${mode === 'destroy' ? 'Destroy' : 'Apply'} cancelled.\n`);
        return ExitCode.error;
      }
    }
    const { failed, interrupted } = await executeApproved({
      inputs,
      planned,
      mode: planned.plan.mode === 'destroy' ? 'destroy' : 'apply',
      options,
      ports,
      onEvent: out.event,
      note: out.note,
      warn: (d) => out.diagnostics(d),
    });
    if (interrupted.length) {
      if (failed.length) out.diagnostics(failed);
      out.note(
        `${mode === 'destroy' ? 'Destroy' : 'Apply'} interrupted: ${interrupted.length} unit(s) not finished (${interrupted.join(', ')}). What was sent is saved in ${inputs.state.where} and the lock is released; run ${mode} again to resume.\n`,
      );
      return ExitCode.interrupted;
    }
    if (failed.length) {
      out.diagnostics(failed);
      out.note(`Progress is saved in ${inputs.state.where}; run ${mode} again to resume.\n`);
      return ExitCode.error;
    }
    out.done(planned.plan.summary, planned.plan.mode === 'destroy' ? 'destroy' : 'apply');
    if (planned.plan.mode === 'destroy') return ExitCode.ok;
    out.note(`State saved to ${inputs.state.where}\n`);
    return await verifyAfterApply(inputs, options, ports, out);
  } finally {
    await lock.release();
    closeConfig(inputs ?? config);
  }
}

/**
 * verify's checks once the clusters hold what was planned: an apply that leaves a mesh that is
 * not connected says so, naming the broken link, and exits 1 (the apply itself is saved).
 */
const VERIFY_SETTLE_MS = 60_000;

async function verifyAfterApply(inputs: Inputs, options: ApplyOptions, ports: Ports, out: ApplyOutput): Promise<number> {
  if (!options.verify) return ExitCode.ok;
  // A just-started istiod is Available before it has written what verify looks for (it writes
  // root certs once it leads its namespace controller): the checks are repeated until they pass
  // or --wait-timeout (at most a minute) runs out, and the last result is shown.
  const deadline = Date.now() + Math.min(options.waitTimeoutMs, VERIFY_SETTLE_MS);
  let { report } = await verifyInputs(inputs, ports);
  while (verifyExitCode(report) !== ExitCode.ok && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2000));
    ({ report } = await verifyInputs(inputs, ports));
  }
  out.verify(report);
  if (verifyExitCode(report) === ExitCode.ok) return ExitCode.ok;
  out.diagnostics([
    error(
      'Applied, but the mesh does not verify',
      `${verifySummaryText(report)} The changes are applied and saved in ${inputs.state.where}; the checks marked ✗ above name what is broken and the fix to try. Run meshctl verify again once it is fixed.`,
    ),
  ]);
  return ExitCode.error;
}

function connectionsOf(topology: Inputs['topology']): Record<string, ClusterConnection> {
  return Object.fromEntries(topology.clusters.map((c) => [c.name, c.kubeconfig ? { context: c.context, kubeconfig: c.kubeconfig } : { context: c.context }]));
}

async function readSavedPlan(file: string): Promise<Plan> {
  const text = readPlanText(file);
  const parsed = parsePlanFile(text, { file });
  if (!('plan' in parsed)) throw new DiagnosticsError(parsed.diagnostics);
  if (parsed.plan.mode === 'refresh-only') fail('Cannot apply a refresh-only plan', `${file} reports drift only; it has nothing to apply. Run meshctl plan to plan the repair.`);
  return parsed.plan;
}

/** Refuses, naming what changed, unless the world still matches the saved plan exactly. */
function refuseIfStale(saved: Plan, planned: PlanContext, inputs: Inputs): void {
  const live = new Map(addressesToCheck(saved).map((a) => [a, planned.live.get(a)?.metadata as { resourceVersion?: string } | undefined]));
  const diags: Diagnostic[] = [
    ...checkStale({ plan: saved, currentState: inputs.prior ? { lineage: inputs.prior.lineage, serial: inputs.prior.serial } : null, sourceDigest: inputs.topology.source.digest, live }),
  ];
  const mismatch = planMismatches(saved, planned.plan);
  if (diags.length === 0 && mismatch.length) {
    diags.push(
      error('Saved plan no longer matches', `Planning again now gives a different plan:\n  ${mismatch.slice(0, 20).join('\n  ')}\nRun meshctl plan again, review the new plan, and apply that one.`),
    );
  }
  if (diags.length) throw new DiagnosticsError(diags);
}

async function executeApproved(o: {
  inputs: Inputs;
  planned: PlanContext;
  mode: 'apply' | 'destroy';
  options: ApplyOptions;
  ports: Ports;
  onEvent: Parameters<typeof executePlan>[0]['onEvent'];
  note: (s: string) => void;
  warn: (d: readonly Diagnostic[]) => void;
}): Promise<{ failed: Diagnostic[]; interrupted: readonly string[] }> {
  const { inputs, planned } = o;
  const initial = inputs.prior ?? emptyState({ lineage: randomUUID(), meshID: inputs.topology.meshID, meshctlVersion });
  // How each cluster is reached goes into the first write: a cluster later taken out of
  // mesh.yaml is reached through it to remove what meshctl made there.
  const journal = new StateJournal(inputs.state, { ...initial, meshctlVersion, clusters: { ...initial.clusters, ...connectionsOf(inputs.topology) } });
  const clients = allClients(inputs);
  const unitById = new Map<string, Unit>(inputs.desired.units.map((u) => [u.id, u]));
  const outputs = planned.outputs;
  if (o.mode === 'apply') {
    // apply creates missing trust material now (plan only read it); it feeds the cacerts units.
    // A root only if the plan planned one: never in place of a root the plan found.
    const { state, env } = inputs.trustInputs;
    const trust = await o.ports.trust.make(inputs.topology, o.ports.now(), { state, env, connect: o.ports.connect, mayCreateRoot: planned.trust.pendingRoot === true });
    if (trust.diagnostics.some((d) => d.severity === 'error')) return { failed: [...trust.diagnostics], interrupted: [] };
    // e.g. "Root CA key generated": where the key is and how to keep it safe; --new-root's warning.
    o.warn([...planned.diagnostics.filter((d) => d.summary === ROOT_GUARD_SUMMARIES.replacing), ...trust.diagnostics]);
    withTrust(outputs, trust);
  }
  const serverOf = (c: string) => clients.get(c)!.server;
  const abort = new AbortController();
  const stopListening = o.ports.onInterrupt(() => {
    if (abort.signal.aborted) return;
    o.note('\nInterrupt received: no new step starts; finishing the requests in flight and saving the state (interrupt again to exit at once).\n');
    abort.abort();
  });
  const result = await executePlan({
    signal: abort.signal,
    plan: planned.plan,
    clients,
    journal,
    parallelism: o.options.parallelism,
    waitTimeoutMs: o.options.waitTimeoutMs,
    onEvent: o.onEvent,
    materialize: async (id) => {
      const unit = unitById.get(id)!;
      const objects = await resolveUnit(unit, { outputs, render: (iop) => planned.istioctl!.render(iop), serverOf });
      return new Map(objects.map((obj) => [objectAddress(unit.cluster, refOf(obj)), obj]));
    },
    collectOutputs: async (id) => {
      const unit = unitById.get(id)!;
      const live = new Map<string, KubeObject>();
      for (const src of outputSources(unit)) {
        const obj = await inputs.clients.get(src.cluster)!.read(src.ref);
        if (obj) live.set(objectAddress(src.cluster, src.ref), obj);
      }
      const got = outputsOfUnit(unit, live);
      outputs.set(id, { ...outputs.get(id), ...got });
      // Only what is safe to persist: the address, never the token.
      const persisted: Record<string, string> = {};
      if (got.address) persisted.address = got.address;
      return persisted;
    },
  }).finally(stopListening);
  // A cluster that left mesh.yaml and has nothing left in the state is no longer recorded.
  await journal.keepClusters(new Set(inputs.topology.clusters.map((c) => c.name)));
  const diags = result.failed.flatMap((f) => f.diagnostics.map((d) => ({ ...d, detail: `${f.unit}: ${d.detail}` })));
  // The version the mesh now runs, for the next plan's upgrade rules: only once every step ran
  // (a half-done upgrade still runs the old version in places); a destroy leaves none.
  if (diags.length === 0 && result.skipped.length === 0 && result.interrupted.length === 0) await journal.installed(o.mode === 'apply' ? inputs.topology.istio.version : undefined);
  await journal.flush();
  if (result.skipped.length) diags.push(error('Steps skipped', `${result.skipped.length} dependent step(s) did not run because a step they depend on failed: ${result.skipped.join(', ')}.`));
  return { failed: diags, interrupted: result.interrupted };
}
