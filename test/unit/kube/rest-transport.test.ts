// RestClient's transports against small loopback servers with a certificate made here: HTTP/2
// when the server offers it (one connection for concurrent requests), HTTP/1.1 when ALPN
// refuses h2, and a clear error when nothing listens; resends when the server asks; and
// ClusterClient's discovery of a kind whose CRD was installed after its group was discovered.
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../../src/kube/cluster-client.js';
import { MAX_RESENDS, MAX_RETRIES, RestClient, retryDelayMs } from '../../../src/kube/rest.js';

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

// What kube-apiserver sends while a CRD's storage starts (seen in e2e right after an apply that
// changed the Gateway CRD): 429 with Retry-After. Retry-After: 0 keeps these tests quick.
const initializing = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'storage is (re)initializing',
  reason: 'TooManyRequests',
  details: { retryAfterSeconds: 1 },
  code: 429,
});

describe('RestClient when the server asks to come back (Retry-After)', () => {
  /** Answers `busy` times with (status, retryAfter), then 200 with the request count. */
  function busyServer(busy: number, status: number, retryAfter: string | undefined, h2 = true) {
    let seen = 0;
    const handle = (req: { method?: string }, res: http2.Http2ServerResponse | import('node:http').ServerResponse) => {
      seen++;
      if (seen <= busy) {
        res.statusCode = status;
        if (retryAfter !== undefined) res.setHeader('Retry-After', retryAfter);
        res.end(initializing);
        return;
      }
      res.end(JSON.stringify({ method: req.method, seen }));
    };
    return h2 ? http2.createSecureServer({ key: keyPem, cert: certPem }, handle) : https.createServer({ key: keyPem, cert: certPem }, handle);
  }

  it('sends again over HTTP/2 after 429 with Retry-After, as client-go does, and counts the retries', async () => {
    const c = client(await listen(busyServer(2, 429, '0')));
    const r = await c.request('GET', '/apis/networking.istio.io/v1/gateways');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ method: 'GET', seen: 3 });
    expect(c.requests).toBe(3);
    expect(c.retries).toBe(2);
    c.close();
  });

  it('sends writes again too, and over HTTP/1.1: the server refused them without acting', async () => {
    const c = client(await listen(busyServer(1, 503, '0', false)));
    const r = await c.request('PATCH', '/apis/networking.istio.io/v1/namespaces/istio-system/gateways/x', { body: { a: 1 }, contentType: 'application/apply-patch+yaml' });
    expect(JSON.parse(r.body)).toEqual({ method: 'PATCH', seen: 2 });
    expect(c.retries).toBe(1);
    c.close();
  });

  it('sends again after a gateway error without Retry-After (a load balancer in front), with backoff', async () => {
    const c = client(await listen(busyServer(2, 502, undefined)));
    const r = await c.request('GET', '/api/v1/namespaces');
    expect(JSON.parse(r.body)).toEqual({ method: 'GET', seen: 3 });
    expect([c.resends, c.retries]).toEqual([2, 0]);
    c.close();
  });

  it('returns a 429 without Retry-After as it is', async () => {
    const c = client(await listen(busyServer(1, 429, undefined)));
    const r = await c.request('GET', '/api/v1/namespaces');
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body).message).toBe('storage is (re)initializing');
    expect(c.retries).toBe(0);
    c.close();
  });

  it(`gives up after ${MAX_RETRIES} retries and returns the last answer`, async () => {
    const c = client(await listen(busyServer(100, 429, '0')));
    const r = await c.request('GET', '/api/v1/namespaces');
    expect(r.status).toBe(429);
    expect(c.requests).toBe(MAX_RETRIES + 1);
    c.close();
  });

  it('reads Retry-After as client-go does: whole seconds, capped, only on 429 and 5xx', () => {
    expect(retryDelayMs({ status: 429, retryAfter: '1' }, 0)).toBe(1000);
    expect(retryDelayMs({ status: 504, retryAfter: '2' }, 3)).toBe(2000);
    expect(retryDelayMs({ status: 429, retryAfter: '3600' }, 0)).toBe(10_000);
    expect(retryDelayMs({ status: 429, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' }, 0)).toBeUndefined();
    expect(retryDelayMs({ status: 409, retryAfter: '1' }, 0)).toBeUndefined();
    expect(retryDelayMs({ status: 200, retryAfter: '1' }, 0)).toBeUndefined();
    expect(retryDelayMs({ status: 429 }, 0)).toBeUndefined();
    expect(retryDelayMs({ status: 429, retryAfter: '1' }, MAX_RETRIES)).toBeUndefined();
  });
});

describe('RestClient when a stream is lost (reset by the server or a proxy)', () => {
  /** Resets the first `lost` streams, then answers 200 with the count. */
  function resettingServer(lost: number, how: 'stream' | 'session') {
    let seen = 0;
    const server = http2.createSecureServer({ key: keyPem, cert: certPem });
    server.on('stream', (stream) => {
      stream.on('error', () => undefined); // the reset, seen from the server's side
      seen++;
      if (seen <= lost) {
        if (how === 'stream') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        else stream.session?.destroy();
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end(JSON.stringify({ seen }));
    });
    return server;
  }

  it('sends the request again, as client-go does after a connection reset, and counts it', async () => {
    const c = client(await listen(resettingServer(2, 'stream')));
    const r = await c.request('PATCH', '/apis/networking.istio.io/v1/namespaces/istio-system/gateways/x', { body: { a: 1 }, contentType: 'application/apply-patch+yaml' });
    expect(JSON.parse(r.body)).toEqual({ seen: 3 });
    expect(c.resends).toBe(2);
    c.close();
  });

  it('opens a new connection when the old one was destroyed', async () => {
    const c = client(await listen(resettingServer(1, 'session')));
    const r = await c.request('GET', '/api/v1/namespaces');
    expect(JSON.parse(r.body)).toEqual({ seen: 2 });
    expect(c.connections).toBe(2);
    c.close();
  });

  it(`gives up after ${MAX_RESENDS} resends and names the loss`, async () => {
    const c = client(await listen(resettingServer(100, 'stream')));
    await expect(c.request('GET', '/api/v1/namespaces')).rejects.toThrow(/stream closed before the response|NGHTTP2_INTERNAL_ERROR/);
    expect(c.requests).toBe(MAX_RESENDS + 1);
    c.close();
  });
});

describe('ClusterClient discovery within one run', () => {
  it('asks again for a kind its group did not serve when first discovered (a CRD installed since)', async () => {
    const kinds = ['Gateway'];
    const seen: string[] = [];
    const url = await listen(
      http2.createSecureServer({ key: keyPem, cert: certPem }, (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        if (req.url === '/apis/networking.istio.io/v1') {
          res.end(JSON.stringify({ resources: kinds.map((kind) => ({ name: `${kind.toLowerCase()}s`, kind, namespaced: true })) }));
        } else if (req.method === 'GET') {
          res.end(JSON.stringify({ items: [] }));
        } else {
          res.end(JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'istiod-vs', namespace: 'istio-system' } }));
        }
      }),
    );
    const c = new ClusterClient({ cluster: 'cluster1', context: 'cluster1', server: url, auth: { apply: async (o) => void (o.ca = certPem) } });
    expect(await c.list('networking.istio.io/v1', 'Gateway', 'istio-system')).toEqual([]);
    kinds.push('VirtualService'); // its CRD is applied and established
    const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'istiod-vs', namespace: 'istio-system' } };
    expect((await c.apply(vs)).metadata.name).toBe('istiod-vs');
    expect(seen.filter((r) => r === 'GET /apis/networking.istio.io/v1')).toHaveLength(2);
    expect(seen.at(-1)).toMatch(/^PATCH \/apis\/networking.istio.io\/v1\/namespaces\/istio-system\/virtualservices\/istiod-vs\?/);
    // A kind that is still not served is reported so after the one extra look.
    expect(await c.read({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', namespace: 'istio-system', name: 'x' })).toBeNull();
    c.close();
  });
});
