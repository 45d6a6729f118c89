// The shared body of `apply` and `destroy` (Terraform's backend_apply): lock the state, plan,
// show the plan, ask, walk it, persist after every action, unlock. A failed unit stops its
// dependants only; the state keeps everything that did happen, so the next run resumes.
import { randomUUID } from 'node:crypto';
import { DiagnosticsError, error, type Diagnostic } from '../diagnostics.js';
import { objectAddress, refOf } from '../kube/object.js';
import type { Unit } from '../model/desired.js';
import { runPlan } from '../executors/run-plan.js';
import { removeIstiodLeftovers, ROOT_CERT_CONFIGMAP } from '../executors/leftovers.js';
import { isEmptyPlan, type PlanMode } from '../planner/plan.js';
import { outputsOfUnit } from '../render/outputs.js';
import { resolveUnit } from '../render/resolve.js';
import { StateJournal } from '../state/journal.js';
import { acquireLock } from '../state/local-file.js';
import { emptyState } from '../state/state.js';
import { meshctlVersion } from '../version.js';
import { renderEventHuman } from '../views/apply-human.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { renderPlanHuman } from '../views/plan-human.js';
import { useColor } from './color.js';
import { confirm } from './confirm.js';
import { ExitCode, type CliIO } from './io.js';
import { commonArgs, parseDuration } from './options.js';
import { loadInputs, makePlan, withTrust } from './session.js';
import { makeTrust } from './trust-material.js';

export async function runApply(args: Record<string, unknown>, io: CliIO, mode: Extract<PlanMode, 'apply' | 'destroy'>): Promise<number> {
  const common = commonArgs(args);
  const color = useColor(args, io);
  const inputs = await loadInputs(common, io);
  if (inputs.warnings.length) io.stderr.write(renderDiagnostics(inputs.warnings, { color: useColor(args, io, 'stderr'), sources: inputs.sources }));
  const lock = await acquireLock(inputs.stateFile, { operation: mode, version: meshctlVersion, timeoutMs: parseDuration(args['lock-timeout'], 'lock-timeout') });
  try {
    const planned = await makePlan(inputs, { mode, args: common, io, now: new Date() });
    io.stdout.write(renderPlanHuman(planned.plan, { color }));
    if (isEmptyPlan(planned.plan) && mode === 'destroy') return ExitCode.ok;
    if (args['auto-approve'] !== true) {
      const what = mode === 'destroy' ? 'Do you really want to destroy the mesh?' : 'Do you want to perform these actions?';
      if (!io.stdin.isTTY) {
        throw new DiagnosticsError([error('No approval', `meshctl ${mode} needs approval and there is no terminal to ask on. Review the plan and run again with --auto-approve.`)]);
      }
      if (!(await confirm(io, what))) {
        io.stdout.write(`${mode === 'destroy' ? 'Destroy' : 'Apply'} cancelled.\n`);
        return ExitCode.error;
      }
    }
    const initial = inputs.prior ?? emptyState({ lineage: randomUUID(), meshID: inputs.topology.meshID, meshctlVersion });
    const journal = new StateJournal(inputs.stateFile, { ...initial, meshctlVersion });
    const unitById = new Map<string, Unit>(inputs.desired.units.map((u) => [u.id, u]));
    // apply creates missing trust material now (plan only read it); its outputs feed cacerts.
    const outputs = planned.outputs;
    if (mode === 'apply') {
      const trust = await makeTrust(inputs.topology, new Date());
      for (const d of trust.diagnostics) if (d.severity === 'warning') io.stderr.write(renderDiagnostics([d], { color: false }));
      withTrust(outputs, trust);
    }
    const serverOf = (c: string) => inputs.clients.get(c)!.server;
    const result = await runPlan({
      plan: planned.plan,
      clients: inputs.clients,
      journal,
      parallelism: Number(args['parallelism'] ?? 10),
      waitTimeoutMs: parseDuration(args['wait-timeout'], 'wait-timeout'),
      onEvent: (e) => io.stdout.write(`${renderEventHuman(e)}\n`),
      materialize: async (id) => {
        const unit = unitById.get(id)!;
        const objects = await resolveUnit(unit, { outputs, render: (iop) => planned.istioctl!.render(iop), serverOf });
        return new Map(objects.map((o) => [objectAddress(unit.cluster, refOf(o)), o]));
      },
      collectOutputs: async (id) => {
        const unit = unitById.get(id)!;
        const live = new Map();
        for (const w of unit.waits) {
          const cluster = w.cluster ?? unit.cluster;
          if (w.kind === 'loadbalancer-address' || w.kind === 'token-populated') {
            const ref = { apiVersion: 'v1', kind: w.kind === 'loadbalancer-address' ? 'Service' : 'Secret', namespace: w.namespace, name: w.name };
            const o = await inputs.clients.get(cluster)!.read(ref);
            if (o) live.set(objectAddress(cluster, ref), o);
          }
        }
        const got = outputsOfUnit(unit, live);
        outputs.set(id, { ...outputs.get(id), ...got });
        const persisted: Record<string, string> = {};
        if (got.address) persisted.address = got.address;
        return persisted;
      },
    });
    if (mode === 'destroy' && result.failed.length === 0) {
      let leftovers = 0;
      for (const client of inputs.clients.values()) leftovers += await removeIstiodLeftovers(client);
      if (leftovers) io.stdout.write(`Removed ${leftovers} ${ROOT_CERT_CONFIGMAP} ConfigMap(s) that istiod wrote.\n`);
    }
    const diags: Diagnostic[] = result.failed.flatMap((f) => f.diagnostics.map((d) => ({ ...d, detail: `${f.unit}: ${d.detail}` })));
    if (diags.length) {
      io.stderr.write(renderDiagnostics(diags, { color: useColor(args, io, 'stderr') }));
      io.stderr.write(`${result.skipped.length} dependent step(s) skipped. Progress is saved in ${inputs.stateFile}; run ${mode} again to resume.\n`);
      return ExitCode.error;
    }
    const s = planned.plan.summary;
    io.stdout.write(
      mode === 'destroy'
        ? `\nDestroy complete! Resources: ${s.destroy} destroyed, ${s.change} released.\n`
        : `\nApply complete! Resources: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed.\nState saved to ${inputs.stateFile}\n`,
    );
    return ExitCode.ok;
  } finally {
    await lock.release();
    for (const c of inputs.clients.values()) c.close();
  }
}
