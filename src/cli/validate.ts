// `meshctl validate`: load mesh.yaml and report every problem, without touching a cluster.
// Exit 0 when valid (warnings allowed), 1 otherwise. Diagnostics go to stderr; the verdict
// (or, with --json, the whole result) to stdout so scripts can capture it.
import type { Argv } from 'yargs';
import { hasErrors } from '../diagnostics.js';
import type { Topology } from '../config/topology.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import type { Command } from './command.js';
import { ExitCode } from './io.js';
import { useColor } from './color.js';
import { parseValidateOptions } from './options.js';
import { untrustedInput } from '../kube/untrusted.js';

export const validateCommand: Command = {
  command: 'validate',
  describe: 'Check mesh.yaml against the schema and the multi-cluster rules (no cluster access)',
  builder: (y: Argv) =>
    y
      .option('file', { alias: 'f', type: 'string', default: 'mesh.yaml', describe: 'The mesh definition to check' })
      .option('json', { type: 'boolean', default: false, describe: 'Print {valid, diagnostics} as JSON on stdout' })
      .option('color', { type: 'boolean', default: true, describe: 'Colour the output (--no-color to turn it off)' }),
  run: async (args, io) => {
    const options = parseValidateOptions(args);
    const file = options.file;
    // Loaded on use: ajv and the schema are the heaviest imports of a validate run.
    const { loadTopology } = await import('../config/load.js');
    const result = loadTopology(file, { cwd: io.cwd, untrusted: untrustedInput(io.env) });
    const valid = !hasErrors(result.diagnostics);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ valid, diagnostics: result.diagnostics }, null, 2)}\n`);
      return valid ? ExitCode.ok : ExitCode.error;
    }
    if (result.diagnostics.length > 0) {
      io.stderr.write(renderDiagnostics(result.diagnostics, { color: useColor(options, io, 'stderr'), sources: result.sources }));
    }
    if (valid && result.topology) io.stdout.write(`${file} is valid: ${describeMesh(result.topology)}.\n`);
    return valid ? ExitCode.ok : ExitCode.error;
  },
};

/** "mesh mesh1, 2 clusters (1 primary, 1 remote), 2 networks" */
export function describeMesh(t: Topology): string {
  const roles = (['primary', 'remote', 'external'] as const)
    .map((role) => [role, t.clusters.filter((c) => c.role === role).length] as const)
    .filter(([, n]) => n > 0)
    .map(([role, n]) => `${n} ${role}`);
  const clusters = `${t.clusters.length} ${t.clusters.length === 1 ? 'cluster' : 'clusters'}`;
  const networks = `${t.networks.length} ${t.networks.length === 1 ? 'network' : 'networks'}`;
  return `mesh ${t.meshID}, ${clusters} (${roles.join(', ')}), ${networks}`;
}
