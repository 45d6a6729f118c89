// One HTTP/2 connection per cluster, every request a stream on it, as kubectl and client-go talk
// to kube-apiserver. A no-op plan sends all its lists to each cluster at once: over HTTP/1.1
// that means a TLS handshake per socket (or requests queued behind few sockets); here it is one
// handshake and full concurrency.
//
// The session is unref'd while idle (an idle connection must not keep meshctl running) and
// ref'd while a stream is open (a pending request must). A session that closes or fails is
// dropped; the next request opens a new one.
import * as http2 from 'node:http2';
import type * as tls from 'node:tls';

/** kubectl's TLS handshake timeout (Go's http.DefaultTransport). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface H2Response {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

export class H2NotNegotiated extends Error {}

/**
 * A stream that ended without its response on a session that was open: reset by the server or
 * a proxy, or lost with its connection. The request may or may not have been acted on; every
 * request meshctl sends is idempotent (reads, server-side apply, deletes, reviews), so the
 * caller may send it again (rest.ts), as client-go does for a connection reset.
 */
export class StreamLost extends Error {}

export class H2Connection {
  private session?: Promise<http2.ClientHttp2Session>;
  /** Open streams per session (a failed session's streams may still be settling). */
  private readonly open = new WeakMap<http2.ClientHttp2Session, number>();
  connections = 0;

  constructor(
    private readonly origin: string,
    private readonly tlsOptions: { secureContext: tls.SecureContext; servername?: string; rejectUnauthorized?: boolean },
  ) {}

  request(method: string, path: string, headers: Record<string, string | number>, body: string | undefined, timeoutMs: number): Promise<H2Response> {
    return this.connect(timeoutMs).then(
      (session) =>
        new Promise<H2Response>((resolve, reject) => {
          // Throws (rejecting this promise) when the session is closing; counted only once open.
          const stream = session.request({ ':method': method, ':path': path, ...lower(headers) }, { endStream: body === undefined });
          this.opened(session);
          let status = 0;
          let retryAfter: string | undefined;
          const chunks: Buffer[] = [];
          let settled = false;
          const done = (f: () => void) => {
            if (settled) return;
            settled = true;
            this.closed(session);
            f();
          };
          stream.setTimeout(timeoutMs, () => {
            stream.close(http2.constants.NGHTTP2_CANCEL);
            done(() => reject(new Error('request timed out')));
          });
          stream.on('response', (h) => {
            status = Number(h[':status'] ?? 0);
            const after = h['retry-after'];
            if (after !== undefined) retryAfter = String(after);
          });
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () =>
            done(() =>
              // Ended without response headers: the connection went, not an answer.
              status === 0
                ? reject(new StreamLost('stream ended before the response'))
                : resolve({ status, body: Buffer.concat(chunks).toString('utf8'), ...(retryAfter !== undefined ? { retryAfter } : {}) }),
            ),
          );
          stream.on('error', (e) => done(() => reject(new StreamLost(`${e.message}${(e as NodeJS.ErrnoException).code ? ` (${(e as NodeJS.ErrnoException).code})` : ''}`))));
          stream.on('close', () => done(() => reject(new StreamLost(`stream closed before the response (code ${stream.rstCode})`))));
          if (body !== undefined) stream.end(body);
        }),
    );
  }

  close(): void {
    void this.session?.then(
      (s) => s.close(),
      () => undefined,
    );
    this.session = undefined;
  }

  private connect(timeoutMs: number): Promise<http2.ClientHttp2Session> {
    this.session ??= new Promise<http2.ClientHttp2Session>((resolve, reject) => {
      // Node offers exactly ['h2'] in ALPN for a client session.
      const session = http2.connect(this.origin, this.tlsOptions);
      this.connections++;
      const forget = () => {
        if (this.session === current) this.session = undefined;
      };
      // A server that accepts the TCP connection but never answers the TLS handshake (a
      // stopped or hung API server: the kernel still accepts) would otherwise hang forever;
      // the stream timeout only starts once a session exists. Bounded as client-go bounds it
      // (Go's http.DefaultTransport, which apimachinery's SetTransportDefaults falls back to:
      // TLSHandshakeTimeout 10 s), so a stopped cluster costs a plan 10 s, not the request timeout.
      const handshakeMs = Math.min(timeoutMs, TLS_HANDSHAKE_TIMEOUT_MS);
      const timer = setTimeout(() => session.destroy(new Error(`no TLS handshake within ${Math.round(handshakeMs / 1000)}s (the server accepted the connection but does not answer)`)), handshakeMs);
      timer.unref();
      session.once('close', () => clearTimeout(timer));
      session.once('connect', () => {
        clearTimeout(timer);
        const alpn = (session.socket as tls.TLSSocket | undefined)?.alpnProtocol;
        if (alpn !== 'h2') {
          session.destroy();
          reject(new H2NotNegotiated(`the server did not accept HTTP/2 (ALPN ${String(alpn)})`));
          return;
        }
        session.unref();
        resolve(session);
      });
      session.once('error', (e) => {
        clearTimeout(timer);
        forget();
        // A TLS server that knows ALPN but not h2 answers with alert 120 (Node's own https
        // servers do); one that ignores ALPN is caught on 'connect' above.
        const refused = (e as NodeJS.ErrnoException).code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL';
        reject(refused ? new H2NotNegotiated(`the server did not accept HTTP/2 (${e.message.split('\n')[0]})`) : e);
      });
      session.once('close', forget);
      session.once('goaway', forget);
    });
    const current = this.session;
    return current;
  }

  private opened(session: http2.ClientHttp2Session): void {
    const n = this.open.get(session) ?? 0;
    this.open.set(session, n + 1);
    if (n === 0) session.ref();
  }

  private closed(session: http2.ClientHttp2Session): void {
    const n = (this.open.get(session) ?? 1) - 1;
    this.open.set(session, n);
    if (n === 0) session.unref();
  }
}

function lower(headers: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
