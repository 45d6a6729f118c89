// The body of `meshctl verify`, and the same checks at the end of `meshctl apply`.
import { connectKubeconfigText } from '../kube/connect.js';
import { meshShape } from '../model/mesh-shape.js';
import { gatherVerifyFacts } from '../observe/verify-facts.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { renderVerifyHuman } from '../views/verify-human.js';
import { renderVerifyJson } from '../views/verify-json.js';
import { permissionsFor, verifyMesh, type VerifyReport } from '../verify/checks.js';
import { useColor } from './color.js';
import { ExitCode, type CliIO } from './io.js';
import { parseVerifyOptions } from './options.js';
import { defaultPorts, type Ports } from './ports.js';
import { closeConfig, loadConfig, type Inputs } from './session.js';
import { trackClients } from './stats.js';

export async function runVerify(args: Record<string, unknown>, io: CliIO, ports: Ports = defaultPorts()): Promise<number> {
  const options = parseVerifyOptions(args);
  // verify judges the clusters alone: it needs neither the state nor its lock.
  const inputs = loadConfig(options, { io, ports });
  try {
    if (inputs.warnings.length) io.stderr.write(renderDiagnostics(inputs.warnings, { color: useColor(options, io, 'stderr'), sources: inputs.sources }));
    // The remote secrets' own clients count in MESHCTL_STATS too (the bench reads it).
    const connectKubeconfig: Ports['connectKubeconfig'] = (o) => {
      const c = ports.connectKubeconfig(o);
      if (!('error' in c)) trackClients([c], io.env);
      return c;
    };
    const { report, at } = await verifyInputs(inputs, { ...ports, connectKubeconfig });
    io.stdout.write(options.json ? renderVerifyJson(report, { meshID: inputs.topology.meshID, at }) : renderVerifyHuman(report, { color: useColor(options, io) }));
    return verifyExitCode(report);
  } finally {
    closeConfig(inputs);
  }
}

/** Reads the clusters with the clients already open and judges what they show. */
export async function verifyInputs(inputs: Pick<Inputs, 'topology' | 'clients'>, ports: Pick<Ports, 'now'> & Partial<Pick<Ports, 'connectKubeconfig'>>): Promise<{ report: VerifyReport; at: string }> {
  const shape = meshShape(inputs.topology);
  const facts = await gatherVerifyFacts({
    clients: inputs.clients,
    connectKubeconfig: ports.connectKubeconfig ?? connectKubeconfigText,
    permissionsFor: (holder, target) => permissionsFor(shape, holder, target),
    now: ports.now,
  });
  return { report: verifyMesh(inputs.topology, shape, facts), at: facts.at };
}

export function verifyExitCode(r: VerifyReport): number {
  if (r.counts.error > 0) return ExitCode.error;
  return r.counts.fail > 0 ? ExitCode.checksFailed : ExitCode.ok;
}
