// Waiting for a started server to become usable, failing fast (with its log) if it dies first.
import { request } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ManagedProcess } from './processes.js';

export interface WaitOptions {
  /** What is awaited, for the error message: "cluster1 kube-apiserver /readyz". */
  what: string;
  /** Resolves true when ready; errors count as "not yet". */
  check: () => Promise<boolean>;
  /** The process that must stay alive meanwhile; its log tail is quoted on failure. */
  process?: ManagedProcess;
  timeoutMs?: number;
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntilReady(options: WaitOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError = '';
  for (;;) {
    if (options.process && !options.process.isRunning()) {
      throw new Error(`${options.what}: ${options.process.name} exited before it was ready. Last log lines (${options.process.logFile}):\n${options.process.logTail()}`);
    }
    try {
      if (await options.check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const log = options.process ? `\nLast log lines (${options.process.logFile}):\n${options.process.logTail()}` : '';
      throw new Error(`${options.what} not ready after ${options.timeoutMs ?? 60_000} ms${lastError ? ` (last error: ${lastError})` : ''}.${log}`);
    }
    await sleep(options.intervalMs ?? 150);
  }
}

export interface Response {
  status: number;
  body: string;
}

/**
 * GET with a 2 s timeout. With `tls`, mutual TLS verifying the server against `tls.ca` (never
 * skipping verification); without, plain HTTP (etcd on loopback).
 */
export function get(url: string, tls?: { ca: string; cert: string; key: string }): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = tls ? request(url, { ...tls, timeout: 2_000 }, onResponse) : httpRequest(url, { timeout: 2_000 }, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
