// The loopback end of every connection a test server would open off this machine. Tests may
// send traffic only to loopback, yet kube-apiserver dials on its own: admission webhooks that
// name a Service (Istio's validating webhook, on every Istio object created) are called at the
// Service's ClusterIP (10.96.x.x) or, with endpoint routing, at its endpoints (a remote's istiod
// EndpointSlice holds the simulated gateway address). Each API server is started with an
// egress selector that sends its "cluster" traffic (webhooks, aggregated APIs, kubelets)
// through this HTTP CONNECT proxy, which refuses every request and records it: the call fails
// at once, as a webhook with no endpoints does, and nothing leaves loopback. istiod's runner
// points HTTP(S)_PROXY here for the same reason.
import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface EgressTrap {
  /** The loopback port it listens on, or 0 when it listens on `socketPath`. */
  readonly port: number;
  /** The request lines refused so far (e.g. "CONNECT 10.96.12.7:443 HTTP/1.1"). */
  readonly attempts: readonly string[];
  close(): Promise<void>;
}

/** On a loopback port (an HTTP(S)_PROXY), or on a Unix socket (kube-apiserver's egress selector). */
export function startEgressTrap(o: { readonly logFile?: string; readonly socketPath?: string; readonly onAttempt?: (line: string) => void } = {}): Promise<EgressTrap> {
  const attempts: string[] = [];
  const server: Server = createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\n') && head.length < 4096) return;
      const line = head.split(/\r?\n/)[0]!.slice(0, 300);
      attempts.push(line);
      if (o.logFile) appendFileSync(o.logFile, `${new Date().toISOString()} refused: ${line}\n`);
      o.onAttempt?.(line);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => undefined);
  });
  server.unref();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () =>
      resolve({
        port: o.socketPath ? 0 : (server.address() as { port: number }).port,
        attempts,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    if (o.socketPath) server.listen(o.socketPath, listening);
    else server.listen(0, '127.0.0.1', listening);
  });
}

/**
 * kube-apiserver's --egress-selector-config-file: all "cluster" egress through the trap, over a
 * Unix socket (its TCP transport insists on TLS to the proxy).
 */
export function egressSelectorConfig(socketPath: string): string {
  return [
    'apiVersion: apiserver.k8s.io/v1beta1',
    'kind: EgressSelectorConfiguration',
    'egressSelections:',
    '- name: cluster',
    '  connection:',
    '    proxyProtocol: HTTPConnect',
    '    transport:',
    '      uds:',
    `        udsName: ${socketPath}`,
    '',
  ].join('\n');
}
