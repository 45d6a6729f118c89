// The body of `meshctl plan`, loaded only when the command runs (keeps --version fast).
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { serializePlanFile } from '../planner/plan-file.js';
import { isEmptyPlan } from '../planner/plan.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { useColor } from './color.js';
import { ExitCode, type CliIO } from './io.js';
import { parsePlanOptions } from './options.js';
import { renderPlan } from './plan-output.js';
import { defaultPorts, type Ports } from './ports.js';
import { closeConfig, loadInputs, makePlan } from './session.js';
import { writeFailure } from '../fs/write-failure.js';
import { fail } from '../diagnostics.js';

export async function runPlan(args: Record<string, unknown>, io: CliIO, ports: Ports = defaultPorts()): Promise<number> {
  const options = parsePlanOptions(args);
  const inputs = await loadInputs(options, { io, ports });
  try {
    const errColor = useColor(options, io, 'stderr');
    if (inputs.warnings.length) io.stderr.write(renderDiagnostics(inputs.warnings, { color: errColor, sources: inputs.sources }));
    const planned = await makePlan(inputs, { mode: options.mode, istioctl: { binary: options.istioctl, dir: options.istioctlDir }, env: io.env, cwd: io.cwd, ports });
    if (planned.diagnostics.length) io.stderr.write(renderDiagnostics(planned.diagnostics, { color: errColor }));
    const out = options.out !== undefined ? path.resolve(io.cwd, options.out) : undefined;
    if (out) {
      await writeFileAtomic(out, serializePlanFile(planned.plan), { mode: 0o600 }).catch((e: unknown) =>
        fail('Cannot save the plan', `${writeFailure(`Writing ${out}`, e)}. Nothing was applied; choose another --out.`),
      );
    }
    io.stdout.write(renderPlan(planned.plan, { format: options.format, color: useColor(options, io), planFile: options.out, statePath: inputs.state.where }));
    if (out && options.format === 'human') io.stdout.write(`\nSaved the plan to ${out}. To apply exactly it: meshctl apply ${options.out}\n`);
    if (options.detailedExitcode && !isEmptyPlan(planned.plan)) return ExitCode.changes;
    return ExitCode.ok;
  } finally {
    closeConfig(inputs);
  }
}
