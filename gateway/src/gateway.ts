import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createGatewayRuntime, getGraphQLWSOptions } from '@graphql-hive/gateway-runtime';
import {
  ArgusError, ErrorCode, INTERNAL_CONTEXT_HEADER, createServiceHttp, readBody, readJson, sendJson, sendError,
  type CallerContext, type ServiceRuntime,
} from '@argus/platform';
import type { IdentityService } from '@argus/subgraph-identity';
import { authenticate, headersFromConnectionParams } from './authenticate.js';
import { SharedSubscriptions } from './shared-subscriptions.js';
import { createPictureRoute } from './picture-route.js';

export interface GatewayOptions {
  runtime: ServiceRuntime;
  identity: IdentityService;
  supergraphSdl: string;
}

const GRAPHQL_PATH = '/graphql';

/**
 * The one public endpoint: GraphQL over HTTP (queries, mutations, SSE subscriptions) and
 * graphql-ws on /graphql, plus POST /auth/token. The Hive gateway runtime plans queries
 * across subgraphs; every subgraph call carries the caller in a signed context header.
 */
export async function createGateway({ runtime, identity, supergraphSdl }: GatewayOptions) {
  const logger = runtime.logger.child({ service: 'gateway' });
  // one signature per caller per minute (the header stays valid for five), so identical
  // requests of one caller carry identical headers
  const signatures = new Map<string, { value: string; until: number }>();
  const signedContext = (caller: CallerContext): string => {
    const key = `${caller.tenantId}|${caller.appId}|${caller.role}`;
    const now = Date.now();
    const hit = signatures.get(key);
    if (hit && hit.until > now) return hit.value;
    if (signatures.size > 10_000) signatures.clear();
    const value = runtime.signer.sign(caller, now);
    signatures.set(key, { value, until: now + 60_000 });
    return value;
  };
  const gw = createGatewayRuntime<{ caller?: CallerContext }>({
    supergraph: supergraphSdl,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: false,
    logging: runtime.config.LOG_LEVEL === 'debug' || runtime.config.LOG_LEVEL === 'trace' ? 'debug' : 'error',
    maskedErrors: false,
    plugins: () => [
      {
        // Errors raised before execution (variable values that do not coerce, …) carry no
        // code from the runtime; give them the catalog's.
        onResultProcess({ result }: { result: unknown }) {
          for (const r of Array.isArray(result) ? result : [result]) {
            const errors = (r as { errors?: Array<{ extensions?: Record<string, unknown>; path?: unknown }> } | null)?.errors;
            for (const e of errors ?? []) {
              if (e.extensions?.code || e.path) continue;
              (e as { extensions: Record<string, unknown> }).extensions = { ...e.extensions, code: ErrorCode.BAD_USER_INPUT };
            }
          }
        },
      },
      {
        // The caller travels in extensions.headers, which the HTTP executor includes in its
        // key for de-duplicating identical in-flight queries: only requests of the same caller
        // may share an upstream answer, never two tenants'.
        onSubgraphExecute({ executionRequest }: { executionRequest: { context?: unknown; extensions?: Record<string, unknown> } }) {
          const caller = (executionRequest.context as { caller?: CallerContext } | undefined)?.caller;
          if (!caller) return;
          const extensions = (executionRequest.extensions ||= {});
          extensions['headers'] = { ...(extensions['headers'] as Record<string, string> | undefined), [INTERNAL_CONTEXT_HEADER]: signedContext(caller) };
        },
      },
    ],
  });

  // load the supergraph now: graphql-ws connections do not trigger the lazy load that HTTP requests do
  await gw.getSchema();

  const forward = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer | undefined, caller: CallerContext) => {
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k === INTERNAL_CONTEXT_HEADER) continue;
      headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: raw && raw.length ? (raw as unknown as BodyInit) : undefined,
      signal: controller.signal,
    });
    const response = await gw.fetch(request, { caller, req, res });
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => (out[k] = v));
    res.writeHead(response.status, out);
    if (!response.body) return void res.end();
    res.flushHeaders();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    } catch {
      res.destroy();
    }
  };

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const raw = req.method === 'POST' ? await readBody(req, 4 << 20) : undefined;
    let caller: CallerContext;
    try {
      caller = await authenticate(identity, req.headers, url.pathname, async () => raw?.toString('utf8') ?? '');
    } catch (err) {
      if (!(err instanceof ArgusError)) throw err;
      return sendJson(res, 401, { errors: [{ message: err.message, extensions: { code: err.code } }] });
    }
    await forward(req, res, url, raw, caller);
  };

  const handleTokenRequest = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return sendError(res, new ArgusError(ErrorCode.BAD_USER_INPUT, 'use POST /auth/token'));
    const body = await readJson<{ accessKey?: unknown; secretKey?: unknown; expiresIn?: unknown }>(req, 16 << 10);
    if (typeof body?.accessKey !== 'string' || typeof body?.secretKey !== 'string') {
      return sendError(res, new ArgusError(ErrorCode.BAD_USER_INPUT, 'body must be {"accessKey": string, "secretKey": string, "expiresIn"?: seconds}'));
    }
    if (body.expiresIn !== undefined && typeof body.expiresIn !== 'number') {
      return sendError(res, new ArgusError(ErrorCode.BAD_USER_INPUT, 'expiresIn must be a number of seconds', { field: 'expiresIn' }));
    }
    const { token, value } = await identity.issueToken(body.accessKey, body.secretKey, body.expiresIn as number | undefined);
    sendJson(res, 200, {
      accessToken: value,
      tokenId: token.id,
      expiresAt: token.expiresAt.toISOString(),
      expiresIn: Math.round((token.expiresAt.getTime() - Date.now()) / 1000),
    });
  };

  const pictures = createPictureRoute(runtime);
  const http = createServiceHttp({
    service: 'gateway',
    logger,
    routeLabel: (u) => (u.pathname === GRAPHQL_PATH || u.pathname === '/auth/token' ? u.pathname : pictures.matches(u) ? '/pictures' : 'other'),
    handle: async (req, res, url) => {
      if (url.pathname === GRAPHQL_PATH) return void (await handleGraphql(req, res, url));
      if (url.pathname === '/auth/token') return void (await handleTokenRequest(req, res));
      if (pictures.matches(url)) return void (await pictures.handle(req, res, url));
      return false;
    },
  });

  const wss = new WebSocketServer({ server: http.server, path: GRAPHQL_PATH });
  const wsOptions = getGraphQLWSOptions<Record<string, any>, any>(gw as any, async (ctx) => ({
    caller: (ctx.extra as any).caller as CallerContext,
    req: ctx.extra?.request,
    socket: ctx.extra?.socket,
  }));
  // identical subscriptions of one caller share one upstream execution
  const shared = new SharedSubscriptions<unknown>();
  useServer(
    {
      ...wsOptions,
      subscribe: (args) => {
        const ctx = args.contextValue as { caller: CallerContext; params: { query?: string; variables?: unknown; operationName?: string } };
        const key = JSON.stringify([
          ctx.caller.tenantId, ctx.caller.appId, ctx.caller.role,
          ctx.params.query, ctx.params.variables ?? null, ctx.params.operationName ?? null,
        ]);
        return shared.subscribe(key, () => wsOptions.subscribe!(args) as any) as any;
      },
      onConnect: async (ctx) => {
        try {
          const headers = headersFromConnectionParams(ctx.connectionParams as Record<string, unknown>);
          const caller = await authenticate(identity, headers, GRAPHQL_PATH, async () => '');
          if (caller.role === 'ANONYMOUS') return false;
          (ctx.extra as any).caller = caller;
          return true;
        } catch (err) {
          if (err instanceof ArgusError) {
            // 4403 Forbidden closes the socket with the reason; graphql-ws clients surface it
            ctx.extra.socket.close(4403, `${err.code}: ${err.message}`.slice(0, 120));
            return false;
          }
          throw err;
        }
      },
    },
    wss,
  );

  return {
    http,
    listen: (port: number, host: string) => http.listen(port, host),
    close: async () => {
      for (const client of wss.clients) client.close(1001, 'gateway shutting down');
      await new Promise<void>((r) => wss.close(() => r()));
      await http.close();
      await gw.dispose();
    },
  };
}
