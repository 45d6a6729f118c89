// The body of `meshctl plan`, loaded only when the command runs (keeps --version fast).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { serializePlanFile } from '../planner/plan-file.js';
import { isEmptyPlan } from '../planner/plan.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { useColor } from './color.js';
import { ExitCode, type CliIO } from './io.js';
import { commonArgs } from './options.js';
import { planFormat, renderPlan } from './plan-output.js';
import { loadInputs, makePlan } from './session.js';

export async function runPlanCommand(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const inputs = await loadInputs(commonArgs(args), io);
  try {
    const errColor = useColor(args, io, 'stderr');
    if (inputs.warnings.length) io.stderr.write(renderDiagnostics(inputs.warnings, { color: errColor, sources: inputs.sources }));
    const mode = args['destroy'] === true ? 'destroy' : args['refresh-only'] === true ? 'refresh-only' : 'apply';
    const planned = await makePlan(inputs, { mode, args: commonArgs(args), io, now: new Date() });
    if (planned.diagnostics.length) io.stderr.write(renderDiagnostics(planned.diagnostics, { color: errColor }));
    const out = typeof args['out'] === 'string' ? path.resolve(io.cwd, args['out']) : undefined;
    if (out) await writeAtomically(out, serializePlanFile(planned.plan));
    io.stdout.write(renderPlan(planned.plan, { format: planFormat(args), color: useColor(args, io), planFile: typeof args['out'] === 'string' ? args['out'] : undefined }));
    if (out && planFormat(args) === 'human') io.stdout.write(`\nSaved the plan to ${out}. To apply exactly it: meshctl apply ${args['out']}\n`);
    if (args['detailed-exitcode'] === true && !isEmptyPlan(planned.plan)) return ExitCode.changes;
    return ExitCode.ok;
  } finally {
    for (const c of inputs.clients.values()) c.close();
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.rename(tmp, file);
}
