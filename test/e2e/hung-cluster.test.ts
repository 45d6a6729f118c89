// One cluster answers at once (it refuses the credential); another accepts TCP and never
// answers TLS. meshctl prints the first cluster's error and exits then, not when the hung
// handshake gives up (10 s): a CI job must not sit on a dead cluster after the real error.
// Both servers are fakes on loopback; this is about the process, not the API.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath } from '../harness/e2e.js';
import { meshctl } from './support/meshctl.js';

let refusing: Server;
let hung: TcpServer;
const sockets: Socket[] = [];
let dir: string;

const port = (s: Server | TcpServer) => (s.address() as { port: number }).port;

beforeAll(async () => {
  refusing = createHttpServer((_req, res) => {
    res.statusCode = 403;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'Status', message: 'forbidden: User "ci" cannot get resource' }));
  });
  hung = createTcpServer((s) => void sockets.push(s));
  await Promise.all([new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r)), new Promise<void>((r) => hung.listen(0, '127.0.0.1', r))]);
  dir = mkdtempSync(join(tmpdir(), 'meshctl-hung-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'refusing', cluster: { server: `http://127.0.0.1:${port(refusing)}` } },
        { name: 'hung', cluster: { server: `https://127.0.0.1:${port(hung)}` } },
      ],
      users: [{ name: 'ci', user: { token: 'not-a-real-token' } }],
      contexts: [
        { name: 'refusing', context: { cluster: 'refusing', user: 'ci' } },
        { name: 'hung', context: { cluster: 'hung', user: 'ci' } },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'mesh.yaml'),
    `apiVersion: meshctl.io/v1alpha1
kind: Mesh
meshID: mesh1
istio:
  version: "1.31.0"
networks: [network1, network2]
clusters:
  cluster1: { context: refusing, role: primary, network: network1 }
  cluster2: { context: hung, role: primary, network: network2 }
`,
  );
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([new Promise((r) => refusing.close(r)), new Promise((r) => hung.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

describe('a plan with one refusing and one hung cluster', () => {
  it('prints the refusal and exits, without waiting for the hung handshake', async () => {
    const t0 = Date.now();
    const r = await meshctl(['plan', '--no-color', '--kubeconfig', join(dir, 'kubeconfig')], { cwd: dir, env: { MESHCTL_ISTIOCTL: binPath('istioctl') } });
    const elapsed = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('Not authorised');
    expect(r.stderr).toContain('cluster "cluster1" (context "refusing"');
    expect(r.stderr).not.toContain('internal error');
    // The hung handshake alone would hold the process for its 10 s bound.
    expect(elapsed).toBeLessThan(8_000);
  });
});
