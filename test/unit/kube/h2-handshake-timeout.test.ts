// A stopped or hung API server still completes the TCP handshake (the kernel accepts), then
// never answers TLS: the client must give up after its timeout instead of hanging forever.
import { createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H2Connection } from '../../../src/kube/h2.js';

describe('H2Connection against a server that accepts and never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('rejects once the timeout passes, saying the server does not answer', async () => {
    const c = new H2Connection(`https://127.0.0.1:${port}`, { secureContext: tls.createSecureContext({}) });
    const started = Date.now();
    await expect(c.request('GET', '/version', {}, undefined, 300)).rejects.toThrow(/does not answer/);
    expect(Date.now() - started).toBeLessThan(5000);
    c.close();
  });
});
