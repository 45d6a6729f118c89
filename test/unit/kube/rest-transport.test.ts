// RestClient's transports against small loopback servers with a certificate made here: HTTP/2
// when the server offers it (one connection for concurrent requests), HTTP/1.1 when ALPN
// refuses h2, and a clear error when nothing listens.
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '../../../src/kube/rest.js';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
let certPem: string;
let keyPem: string;
const servers: Array<{ close(cb: () => void): void }> = [];

beforeAll(async () => {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=127.0.0.1',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3600_000),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  certPem = cert.toString('pem');
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  keyPem = `-----BEGIN ${'PRIVATE'} KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END ${'PRIVATE'} KEY-----\n`;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

const answer = (version: string, url: string) => JSON.stringify({ version, url });

async function listen(server: https.Server | http2.Http2SecureServer): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const client = (server: string) => new RestClient({ server, auth: { apply: async (o) => void (o.ca = certPem) } });

describe('RestClient transports', () => {
  it('speaks HTTP/2 when the server offers it: concurrent requests share one connection', async () => {
    const url = await listen(http2.createSecureServer({ key: keyPem, cert: certPem }, (req, res) => res.end(answer(req.httpVersion, req.url))));
    const c = client(url);
    const rs = await Promise.all(['/api/v1', '/apis/apps/v1', '/api/v1/namespaces?limit=1'].map((p) => c.request('GET', p)));
    expect(rs.map((r) => [r.status, JSON.parse(r.body)])).toEqual([
      [200, { version: '2.0', url: '/api/v1' }],
      [200, { version: '2.0', url: '/apis/apps/v1' }],
      [200, { version: '2.0', url: '/api/v1/namespaces?limit=1' }],
    ]);
    expect(c.connections).toBe(1);
    expect(c.requests).toBe(3);
    c.close();
  });

  it('sends bodies and returns error statuses as they are', async () => {
    const url = await listen(
      http2.createSecureServer({ key: keyPem, cert: certPem }, (req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          res.statusCode = req.method === 'PATCH' ? 422 : 404;
          res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body }));
        });
      }),
    );
    const c = client(url);
    const r = await c.request('PATCH', '/api/v1/namespaces/x', { body: { a: 1 }, contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body)).toEqual({ method: 'PATCH', type: 'application/apply-patch+yaml', body: '{"a":1}' });
    expect((await c.request('GET', '/missing')).status).toBe(404);
    c.close();
  });

  it('falls back to HTTP/1.1 when the server refuses h2, and does not ask again', async () => {
    const url = await listen(https.createServer({ key: keyPem, cert: certPem }, (req, res) => res.end(answer(req.httpVersion, req.url!))));
    const c = client(url);
    expect(JSON.parse((await c.request('GET', '/api/v1')).body)).toEqual({ version: '1.1', url: '/api/v1' });
    const afterFirst = c.connections;
    expect(JSON.parse((await c.request('GET', '/apis')).body)).toEqual({ version: '1.1', url: '/apis' });
    // The refused h2 attempt and one kept-alive socket; the second request opened nothing.
    expect(afterFirst).toBe(2);
    expect(c.connections).toBe(2);
    c.close();
  });

  it('refuses a server whose certificate the kubeconfig CA did not sign', async () => {
    const url = await listen(http2.createSecureServer({ key: keyPem, cert: certPem }, (_req, res) => res.end('{}')));
    const c = new RestClient({ server: url, auth: { apply: async () => {} } });
    await expect(c.request('GET', '/api/v1')).rejects.toThrow(/self-signed certificate|unable to verify/i);
    c.close();
  });

  it('names the connection error when nothing listens', async () => {
    const c = client('https://127.0.0.1:1');
    await expect(c.request('GET', '/api/v1')).rejects.toThrow(/ECONNREFUSED/);
    c.close();
  });
});

describe('RestClient fallback under concurrency', () => {
  it('concurrent first requests to a server without h2 all succeed over HTTP/1.1', async () => {
    const url = await listen(https.createServer({ key: keyPem, cert: certPem }, (req, res) => res.end(answer(req.httpVersion, req.url!))));
    const c = client(url);
    const rs = await Promise.all(['/a', '/b', '/c'].map((p) => c.request('GET', p)));
    expect(rs.map((r) => JSON.parse(r.body).version)).toEqual(['1.1', '1.1', '1.1']);
    // One refused h2 attempt (shared by the three), then one socket per concurrent request.
    expect(c.connections).toBe(4);
    c.close();
  });
});
