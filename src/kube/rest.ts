// A minimal Kubernetes REST client. meshctl sends objects as raw JSON: the generated typed
// clients re-serialise objects through their models and silently drop fields they do not know
// (a CRD's `x-kubernetes-int-or-string` became an invalid schema). It talks HTTP/2 over one
// connection per cluster (h2.ts), HTTP/1.1 with a keep-alive pool where HTTP/2 is not possible,
// and counts every request it sends and every connection it opens. Like client-go, it waits and
// sends again when the server answers 429 or 5xx with Retry-After (see retryDelayMs).
import * as https from 'node:https';
import * as http from 'node:http';
import * as tls from 'node:tls';
import type { RequestAuth } from './auth.js';
import { H2Connection, H2NotNegotiated, StreamLost } from './h2.js';

export interface RestResponse {
  readonly status: number;
  readonly body: string;
  /** The Retry-After header, as sent. */
  readonly retryAfter?: string;
}

/** As client-go's default (rest.Request maxRetries). */
export const MAX_RETRIES = 10;
/**
 * A lost stream (h2.ts StreamLost), or a gateway error without Retry-After (502, 503, 504 from
 * a proxy or load balancer in front of the API server), is sent again this many times, after
 * 100, 200, 400 … ms (at most 2 s apart). Every request meshctl sends is idempotent.
 */
export const MAX_RESENDS = 8;
const resendDelayMs = (n: number) => Math.min(100 * 2 ** n, 2_000);
const GATEWAY_ERRORS = new Set([502, 503, 504]);
/** A server asking for longer than this is waited on this long per attempt. */
const MAX_RETRY_WAIT_MS = 10_000;

/**
 * How long to wait before sending a request again, or undefined to return the answer. The API
 * server says "come back" with 429 or 5xx and Retry-After: while a CRD's storage starts after the
 * CRD was created or changed ("storage is (re)initializing", 429, Retry-After: 1), when it sheds
 * load (429 from API priority and fairness), while it shuts down. client-go waits and sends
 * again, up to ten times; so kubectl and istioctl never show these, and meshctl must not either
 * (docs/architecture.md, "Come back later"). The server refused the request without acting on
 * it, so a write is as safe to resend as a read.
 */
export function retryDelayMs(res: Pick<RestResponse, 'status' | 'retryAfter'>, retriesSoFar: number): number | undefined {
  if (retriesSoFar >= MAX_RETRIES || (res.status !== 429 && res.status < 500) || res.retryAfter === undefined) return undefined;
  // Seconds only, as client-go reads it; an HTTP date or junk means "no hint" there too.
  if (!/^\d+$/.test(res.retryAfter.trim())) return undefined;
  return Math.min(Number(res.retryAfter) * 1000, MAX_RETRY_WAIT_MS);
}

export class RestError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly body = '',
    /** The stream was lost on an open connection: safe to send again (h2.ts StreamLost). */
    readonly lost = false,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export class RestClient {
  requests = 0;
  private agent?: https.Agent;
  private h2?: H2Connection | 'unsupported';
  private secureContext?: tls.SecureContext;
  private readonly base: URL;

  private readonly auth: RequestAuth;

  constructor(opts: { server: string; auth: RequestAuth }) {
    this.base = new URL(opts.server);
    this.auth = opts.auth;
  }

  /** TLS connections opened (HTTP/2 sessions and HTTP/1.1 sockets). */
  get connections(): number {
    return (this.h2 instanceof H2Connection ? this.h2.connections : 0) + this.sockets;
  }
  private sockets = 0;

  /** Bytes of response bodies received (MESHCTL_STATS). */
  responseBytes = 0;

  /** Requests sent again after the server asked to retry (counted in `requests` too). */
  retries = 0;

  /** Requests sent again after their stream was lost (counted in `requests` too). */
  resends = 0;

  async request(method: string, path: string, opts: { body?: unknown; contentType?: string; accept?: string; timeoutMs?: number } = {}): Promise<RestResponse> {
    let retried = 0;
    let resent = 0;
    for (;;) {
      let res: RestResponse;
      try {
        res = await this.send(method, path, opts);
      } catch (e) {
        if (!(e instanceof RestError && e.lost) || resent >= MAX_RESENDS) throw e;
        this.resends++;
        await new Promise((r) => setTimeout(r, resendDelayMs(resent++)));
        continue;
      }
      this.responseBytes += Buffer.byteLength(res.body);
      if (GATEWAY_ERRORS.has(res.status) && res.retryAfter === undefined && resent < MAX_RESENDS) {
        this.resends++;
        await new Promise((r) => setTimeout(r, resendDelayMs(resent++)));
        continue;
      }
      const wait = retryDelayMs(res, retried++);
      if (wait === undefined) return res;
      this.retries++;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async send(method: string, path: string, opts: { body?: unknown; contentType?: string; accept?: string; timeoutMs?: number }): Promise<RestResponse> {
    const o: https.RequestOptions = { headers: {} };
    // Credentials are applied per request: exec and token-file auth may rotate them.
    await this.auth.apply(o);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = { ...(o.headers as http.OutgoingHttpHeaders), Accept: opts.accept ?? 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const isHttps = url.protocol === 'https:';
    const timeoutMs = opts.timeoutMs ?? 30_000;
    this.requests++;
    // Built once per cluster: given ca/cert/key instead, every new connection parses the CA
    // bundle and the client key again.
    this.secureContext ??= tls.createSecureContext({ ca: o.ca, cert: o.cert, key: o.key });
    // HTTP/2 unless a delegated credential brings its own agent (proxies), or the server
    // (a proxy in front of it) does not speak it.
    if (isHttps && !o.agent && this.h2 !== 'unsupported') {
      this.h2 ??= new H2Connection(url.origin, {
        secureContext: this.secureContext,
        ...(o.servername ? { servername: o.servername } : {}),
        ...(o.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
      });
      try {
        return await this.h2.request(method, url.pathname + url.search, headers as Record<string, string | number>, body, timeoutMs);
      } catch (e) {
        if (!(e instanceof H2NotNegotiated)) throw asRestError(e, method, path);
        // Concurrent requests share the refused session: the first one here switches over.
        if (this.h2 instanceof H2Connection) {
          this.sockets += this.h2.connections; // the refused attempt cost a handshake too
          this.h2 = 'unsupported';
        }
      }
    }
    this.agent ??=
      (o.agent as https.Agent | undefined) ??
      new https.Agent({ keepAlive: true, maxSockets: 16, secureContext: this.secureContext, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername });
    return new Promise<RestResponse>((resolve, reject) => {
      const req = (isHttps ? https : http).request(url, { method, headers, agent: isHttps ? this.agent : undefined, auth: o.auth, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const retryAfter = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(retryAfter !== undefined ? { retryAfter } : {}) }));
        res.on('error', reject);
      });
      req.on('socket', (socket) => {
        if (!(socket as { meshctlCounted?: boolean }).meshctlCounted) {
          (socket as { meshctlCounted?: boolean }).meshctlCounted = true;
          this.sockets++;
        }
      });
      req.on('timeout', () => req.destroy(new RestError(undefined, `request timed out: ${method} ${path}`)));
      req.on('error', (e) => reject(asRestError(e, method, path)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    if (this.h2 instanceof H2Connection) this.h2.close();
    this.agent?.destroy();
  }
}

function asRestError(e: unknown, method: string, path: string): RestError {
  if (e instanceof RestError) return e;
  if (e instanceof StreamLost) return new RestError(undefined, e.message, '', true);
  const err = e as NodeJS.ErrnoException;
  if (err.message === 'request timed out') return new RestError(undefined, `request timed out: ${method} ${path}`);
  return new RestError(undefined, `${err.message}${err.code ? ` (${err.code})` : ''}`);
}
