// What a pod of an istiod Deployment would run, as a local process: the container's args with
// every listener forced onto its own loopback port, and the container's env filled the way the
// kubelet fills it. Pure functions; the API reads they need come in through `PodSources`.
//
// Listeners of pilot-discovery 1.31 (pilot/cmd/pilot-discovery/app/cmd.go, pkg/ctrlz/options.go;
// every net.Listen in pilot/pkg/bootstrap and pkg/ctrlz):
//   --httpAddr        :8080   /ready, debug (incl. /debug/clusterz), pprof
//   --httpsAddr       :15017  injection and validation webhooks (TLS)
//   --grpcAddr        :15010  plain-text XDS
//   --secureGRPCAddr  :15012  XDS over TLS and the CA
//   --monitoringAddr  :15014  metrics and the same debug handlers
//   --ctrlz_port 9876, --ctrlz_address localhost   ControlZ
import { availableParallelism, totalmem } from 'node:os';
import type { V1Container, V1Deployment, V1EnvVar, V1ResourceRequirements } from '@kubernetes/client-node';

export interface ListenPorts {
  http: number;
  https: number;
  grpc: number;
  secureGrpc: number;
  monitoring: number;
  ctrlz: number;
}

export const LISTEN_PORT_NAMES = ['http', 'https', 'grpc', 'secureGrpc', 'monitoring', 'ctrlz'] as const;

/** The flag that sets each listener, with the loopback value it is forced to. */
function listenerFlags(ports: ListenPorts): Record<string, string> {
  return {
    httpAddr: `127.0.0.1:${ports.http}`,
    httpsAddr: `127.0.0.1:${ports.https}`,
    grpcAddr: `127.0.0.1:${ports.grpc}`,
    secureGRPCAddr: `127.0.0.1:${ports.secureGrpc}`,
    monitoringAddr: `127.0.0.1:${ports.monitoring}`,
    ctrlz_port: String(ports.ctrlz),
    ctrlz_address: '127.0.0.1',
  };
}

/** Whether an image is Istio's pilot image, whose entrypoint is pilot-discovery (pilot/docker/Dockerfile.pilot). */
export function pilotImageTag(image: string | undefined): string | undefined {
  const match = /^(?:.+\/)?pilot:([^@/]+)$/.exec(image ?? '');
  return match?.[1];
}

/** The container of the pod template that runs pilot-discovery, if any. */
export function pilotContainer(d: V1Deployment): V1Container | undefined {
  return d.spec?.template.spec?.containers.find((c) => pilotImageTag(c.image) !== undefined);
}

/**
 * The container's args with every listener flag (either `--flag=value` or `--flag value`)
 * removed and set again to its loopback value, so that nothing listens on a wildcard address
 * or on a fixed port another istiod on this machine already holds.
 */
export function withLoopbackListeners(args: readonly string[], ports: ListenPorts): string[] {
  const flags = listenerFlags(ports);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const match = /^--?([^=]+)(=.*)?$/.exec(args[i]!);
    if (match && match[1]! in flags) {
      if (match[2] === undefined) i++; // the value is the next argument
      continue;
    }
    out.push(args[i]!);
  }
  return [...out, ...Object.entries(flags).map(([flag, value]) => `--${flag}=${value}`)];
}

/** Kubernetes' $(VAR) expansion of env values, command and args; $$ escapes, unknown names stay. */
export function expandVars(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => (name === undefined ? '$' : (env[name] ?? whole)));
}

/** The pod the kubelet would run: what fieldRef values read. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
  serviceAccountName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Reads the kubelet does for env and volumes, through the cluster's API. */
export interface PodSources {
  secretKey(name: string, key: string): Promise<string | undefined>;
  configMapKey(name: string, key: string): Promise<string | undefined>;
  secretData(name: string): Promise<Record<string, string> | undefined>;
  configMapData(name: string): Promise<Record<string, string> | undefined>;
}

export function fieldRef(path: string, pod: PodIdentity): string {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.labels[label[1]!] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return pod.annotations[annotation[1]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid;
    case 'spec.serviceAccountName':
      return pod.serviceAccountName;
    // The "pod" and its "node" are this machine's loopback.
    case 'spec.nodeName':
      return 'localhost';
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs':
      return '127.0.0.1';
    default:
      throw new Error(`env fieldRef ${path} is not supported by the local istiod runner`);
  }
}

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const BYTES = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/;
const BYTE_UNITS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

function quantity(value: string, kind: 'cpu' | 'memory'): number {
  if (kind === 'cpu') {
    const m = CPU.exec(value);
    if (!m) throw new Error(`cannot read CPU quantity "${value}"`);
    return Number(m[1]) / (m[2] ? 1000 : 1);
  }
  const m = BYTES.exec(value);
  if (!m) throw new Error(`cannot read memory quantity "${value}"`);
  return Number(m[1]) * BYTE_UNITS[m[2] ?? '']!;
}

/**
 * resourceFieldRef as the kubelet resolves it: the container's limit, or the node's allocatable
 * amount when no limit is set (here: this machine's CPUs and memory), divided by the divisor
 * and rounded up. The istiod chart reads GOMAXPROCS this way (limits.cpu, divisor 1).
 */
function resourceFieldRef(ref: { resource: string; divisor?: string }, resources: V1ResourceRequirements | undefined): string {
  const [section, name] = ref.resource.split('.') as [string, 'cpu' | 'memory' | string];
  if ((section !== 'limits' && section !== 'requests') || (name !== 'cpu' && name !== 'memory')) {
    throw new Error(`env resourceFieldRef ${ref.resource} is not supported by the local istiod runner`);
  }
  const declared = (section === 'limits' ? resources?.limits : resources?.requests)?.[name] as string | undefined;
  // Requests default to the limit; both default to the node's allocatable amount.
  const fallback = section === 'requests' ? ((resources?.limits?.[name] as string | undefined) ?? undefined) : undefined;
  const amount = declared ?? fallback;
  const value = amount !== undefined ? quantity(String(amount), name) : name === 'cpu' ? availableParallelism() : totalmem();
  const divisor = quantity(ref.divisor ?? '1', name);
  return String(Math.ceil(value / divisor));
}

/** The container's environment as the kubelet builds it: envFrom first, then env, in order, with $(VAR) expansion. */
export async function containerEnv(container: V1Container, pod: PodIdentity, sources: PodSources): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const data = from.configMapRef ? await sources.configMapData(ref?.name ?? '') : await sources.secretData(ref?.name ?? '');
    if (data === undefined && !ref?.optional) throw new Error(`envFrom ${from.configMapRef ? 'ConfigMap' : 'Secret'} ${ref?.name} not found`);
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of container.env ?? []) {
    const value = await envValue(e, env, container, pod, sources);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

/** The value of one env entry; undefined for an optional key that does not exist (the kubelet then leaves the variable out). */
async function envValue(e: V1EnvVar, env: Record<string, string>, container: V1Container, pod: PodIdentity, sources: PodSources): Promise<string | undefined> {
  const from = e.valueFrom;
  if (!from) return expandVars(e.value ?? '', env);
  if (from.fieldRef) return fieldRef(from.fieldRef.fieldPath, pod);
  if (from.resourceFieldRef) return resourceFieldRef(from.resourceFieldRef, container.resources);
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const value = from.secretKeyRef ? await sources.secretKey(ref.name ?? '', ref.key) : await sources.configMapKey(ref.name ?? '', ref.key);
    if (value === undefined && !ref.optional) throw new Error(`env ${e.name}: key ${ref.key} of ${from.secretKeyRef ? 'Secret' : 'ConfigMap'} ${ref.name} not found`);
    return value;
  }
  throw new Error(`env ${e.name}: this valueFrom is not supported by the local istiod runner`);
}
