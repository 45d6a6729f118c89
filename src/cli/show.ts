// `meshctl show PLANFILE`: print a saved plan (human, JSON or Markdown) without touching any
// cluster, so CI can render the reviewed plan for a pull request.
import * as path from 'node:path';
import type { Argv } from 'yargs';
import { DiagnosticsError } from '../diagnostics.js';
import type { Command } from './command.js';
import { useColor } from './color.js';
import { ExitCode } from './io.js';
import { formatOptions, parseShowOptions } from './options.js';
import { readPlanText } from './read-plan-file.js';

export const showCommand: Command = {
  command: 'show <planfile>',
  describe: 'Print a saved plan (from plan --out) as text, JSON or Markdown',
  builder: (y: Argv) =>
    y
      .positional('planfile', { type: 'string', describe: 'A plan saved with meshctl plan --out' })
      .options(formatOptions)
      .option('color', { type: 'boolean', default: true, describe: 'Colour the output (--no-color)' }),
  run: async (args, io) => {
    const options = parseShowOptions(args);
    const [{ parsePlanFile }, { renderPlan }] = await Promise.all([import('../planner/plan-file.js'), import('./plan-output.js')]);
    const file = path.resolve(io.cwd, options.planFile);
    const text = readPlanText(file);
    const parsed = parsePlanFile(text, { file });
    if (!('plan' in parsed)) throw new DiagnosticsError(parsed.diagnostics);
    io.stdout.write(renderPlan(parsed.plan, { format: options.format, color: useColor(options, io), planFile: options.planFile }));
    return ExitCode.ok;
  },
};
