// The body of `meshctl plan`, loaded only when the command runs (keeps --version fast).
import { isEmptyPlan } from '../planner/plan.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { renderPlanHuman } from '../views/plan-human.js';
import { useColor } from './color.js';
import { ExitCode, type CliIO } from './io.js';
import { commonArgs } from './options.js';
import { loadInputs, makePlan } from './session.js';

export async function runPlanCommand(args: Record<string, unknown>, io: CliIO): Promise<number> {
    const inputs = await loadInputs(commonArgs(args), io);
    try {
    const color = useColor(args, io);
    if (inputs.warnings.length) io.stderr.write(renderDiagnostics(inputs.warnings, { color: useColor(args, io, 'stderr'), sources: inputs.sources }));
    const mode = args['destroy'] === true ? 'destroy' : args['refresh-only'] === true ? 'refresh-only' : 'apply';
    const planned = await makePlan(inputs, { mode, args: commonArgs(args), io, now: new Date() });
    if (planned.diagnostics.length) io.stderr.write(renderDiagnostics(planned.diagnostics, { color: useColor(args, io, 'stderr') }));
    io.stdout.write(renderPlanHuman(planned.plan, { color }));
    if (args['detailed-exitcode'] === true && !isEmptyPlan(planned.plan)) return ExitCode.changes;
    return ExitCode.ok;
    } finally {
      for (const c of inputs.clients.values()) c.close();
    }
  }
