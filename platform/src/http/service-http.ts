import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import { ArgusError, ErrorCode, httpStatusOf } from '../errors.js';
import { metricsRegistry, httpRequests, httpDuration } from './metrics.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean | void> | boolean | void;

export interface ServiceHttpOptions {
  service: string;
  logger: Logger;
  /** Handles a request; returns false when the route is not its own (→ 404). */
  handle: RouteHandler;
  /** Readiness: dependencies reachable. /healthz only says the process is alive. */
  ready?: () => Promise<boolean> | boolean;
  /** Route label for metrics, to keep cardinality bounded. */
  routeLabel?: (url: URL) => string;
}

export interface ServiceHttp {
  server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ArgusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, httpStatusOf[error.code], error.toHttpBody());
}

/** Reads a request body up to `limit` bytes; larger bodies are refused with BAD_USER_INPUT. */
export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ArgusError(ErrorCode.BAD_USER_INPUT, `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson<T = unknown>(req: IncomingMessage, limit?: number): Promise<T> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw new ArgusError(ErrorCode.BAD_USER_INPUT, 'request body is not valid JSON');
  }
}

/**
 * The HTTP face every Argus service shares: /healthz, /readyz, /metrics, request metrics,
 * uniform error bodies, and a close() that stops accepting and ends idle keep-alive sockets.
 */
export function createServiceHttp(options: ServiceHttpOptions): ServiceHttp {
  const { service, logger } = options;
  const routeLabel = options.routeLabel ?? ((u: URL) => u.pathname);
  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://local');
    const route = routeLabel(url);
    res.once('close', () => {
      httpRequests.inc({ service, route, status: String(res.statusCode) });
      httpDuration.observe({ service, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok', service });
      if (url.pathname === '/readyz') {
        const ok = options.ready ? await options.ready() : true;
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', service });
      }
      if (url.pathname === '/metrics') {
        const text = await metricsRegistry.metrics();
        res.writeHead(200, { 'content-type': metricsRegistry.contentType });
        return void res.end(text);
      }
      const handled = await options.handle(req, res, url);
      if (handled === false && !res.headersSent) {
        sendError(res, new ArgusError(ErrorCode.NOT_FOUND, `no route for ${req.method} ${url.pathname}`));
      }
    } catch (err) {
      if (err instanceof ArgusError) return sendError(res, err);
      logger.error({ err, path: url.pathname }, 'request failed');
      sendError(res, new ArgusError(ErrorCode.INTERNAL, 'internal error'));
    }
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
