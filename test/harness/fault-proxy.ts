// A fault-injection proxy for the e2e tests (issue 19): loopback, HTTP/2 over TLS, between
// meshctl and one real kube-apiserver. Each request, with probability `rate`, meets one fault:
//
//   reset        the stream is reset before it reaches the server
//   throttle     429 with Retry-After: 1, as API priority and fairness sheds load
//   unavailable  503 with Retry-After: 1, as a server shutting down or a CRD's storage starting
//   bad-gateway  502 without Retry-After, as a load balancer in front of the server answers
//   stall        held for `stallMs`, then sent
//   slow-body    sent; the answer comes back in small chunks with pauses
//
// and, with probability `dropRate` (default rate / 10), the whole connection is destroyed: every
// stream on it is lost at once (with a plan's dozens of parallel requests, a per-request 10%
// would drop nearly every round of them).
//
// The choice is a seeded PRNG, so a run can be repeated. The proxy presents its own certificate
// (made here, for 127.0.0.1) and reaches the server with the admin client certificate of the
// shared kubeconfig: the identity is the same admin either way. Only meshctl goes through it
// (mesh.yaml's apiServer keeps istiod and the remote secrets on the real address).
import * as http2 from 'node:http2';
import { webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';

const REQUEST_FAULTS = ['reset', 'throttle', 'unavailable', 'bad-gateway', 'stall', 'slow-body'] as const;
export const FAULT_KINDS = [...REQUEST_FAULTS, 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultProxy {
  readonly url: string;
  /** The proxy's certificate: the certificate-authority-data of a kubeconfig that uses it. */
  readonly caPem: string;
  readonly requests: () => number;
  readonly faults: () => Readonly<Record<FaultKind, number>>;
  readonly upstreamErrors: () => readonly string[];
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The real API server, https://127.0.0.1:port. */
  readonly upstream: string;
  readonly upstreamCa: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly rate: number;
  readonly dropRate?: number;
  readonly seed: number;
  readonly stallMs?: number;
}

const HOP = new Set([':authority', ':scheme', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'authorization']);

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const { certPem, keyPem } = await selfSigned();
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  let requests = 0;
  /** Failures between the proxy and the server: not injected, so a test can tell them apart. */
  const upstreamErrors: string[] = [];
  const random = mulberry32(o.seed);
  let upstream: http2.ClientHttp2Session | undefined;
  const session = () => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = http2.connect(o.upstream, { ca: o.upstreamCa, cert: o.clientCert, key: o.clientKey });
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const server = http2.createSecureServer({ cert: certPem, key: keyPem });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    requests++;
    const fault: FaultKind | undefined = random() < (o.dropRate ?? o.rate / 10) ? 'drop' : random() < o.rate ? REQUEST_FAULTS[Math.floor(random() * REQUEST_FAULTS.length)] : undefined;
    if (fault) counts[fault]++;
    switch (fault) {
      case 'reset':
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      case 'drop':
        stream.session?.destroy();
        return;
      case 'bad-gateway':
        stream.respond({ ':status': 502, 'content-type': 'text/plain' });
        stream.end('502 Bad Gateway (injected by the fault proxy)\n');
        return;
      case 'throttle':
      case 'unavailable': {
        const status = fault === 'throttle' ? 429 : 503;
        stream.respond({ ':status': status, 'content-type': 'application/json', 'retry-after': '1' });
        stream.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected by the fault proxy', code: status }));
        return;
      }
      case 'stall':
        setTimeout(() => forward(stream, headers, false), o.stallMs ?? 2_000);
        return;
      case 'slow-body':
        forward(stream, headers, true);
        return;
      case undefined:
        forward(stream, headers, false);
        return;
    }
  });

  function forward(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, slow: boolean): void {
    const out: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (!HOP.has(k) && v !== undefined) out[k] = v;
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      let up: http2.ClientHttp2Stream;
      try {
        up = session().request(out, { endStream: chunks.length === 0 });
      } catch (e) {
        upstreamErrors.push(`${String(headers[':method'])} ${String(headers[':path'])}: ${(e as Error).message}`);
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      up.on('error', (e) => {
        upstreamErrors.push(`${String(headers[':method'])} ${String(headers[':path'])}: ${e.message}`);
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      });
      up.on('response', (h) => {
        const back: http2.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && v !== undefined && k !== 'content-length') back[k] = v;
        if (stream.closed) return;
        stream.respond(back);
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => (slow ? body.push(c) : stream.write(c)));
        up.on('end', () => (slow ? void trickle(stream, Buffer.concat(body)) : stream.end()));
      });
      if (chunks.length) up.end(Buffer.concat(chunks));
    });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caPem: certPem,
    requests: () => requests,
    faults: () => ({ ...counts }),
    upstreamErrors: () => [...upstreamErrors],
    close: async () => {
      for (const s of sessions) s.destroy();
      upstream?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The answer in 16 KiB pieces, 20 ms apart. */
async function trickle(stream: http2.ServerHttp2Stream, body: Buffer): Promise<void> {
  for (let at = 0; at < body.length && !stream.closed; at += 16 * 1024) {
    stream.write(body.subarray(at, at + 16 * 1024));
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!stream.closed) stream.end();
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function selfSigned(): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=meshctl fault proxy',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]), new x509.BasicConstraintsExtension(true, undefined, true)],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { certPem: cert.toString('pem'), keyPem: `-----BEGIN ${'PRIVATE'} KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END ${'PRIVATE'} KEY-----\n` };
}
