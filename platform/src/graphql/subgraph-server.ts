import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { parse, validate, subscribe, getOperationAST, type GraphQLSchema, type ExecutionResult, GraphQLError } from 'graphql';
import type { Logger } from '../logger.js';
import { ArgusError, ErrorCode, unauthenticated } from '../errors.js';
import { InternalContextSigner, INTERNAL_CONTEXT_HEADER, type CallerContext } from '../auth/internal-context.js';
import { createServiceHttp, readBody, sendJson, type ServiceHttp } from '../http/service-http.js';
import { graphqlOperations } from '../http/metrics.js';
import { formatSubgraphError } from './format-error.js';

/** What every subgraph resolver can rely on in its context. */
export interface SubgraphContext {
  caller: CallerContext;
  requestId: string;
  logger: Logger;
}

export interface SubgraphServerOptions<C extends SubgraphContext> {
  name: string;
  schema: GraphQLSchema;
  logger: Logger;
  signer: InternalContextSigner;
  /** Adds the subgraph's own services (entity manager, bus, …) to the base context. */
  createContext: (base: SubgraphContext) => C | Promise<C>;
  ready?: () => Promise<boolean> | boolean;
  /** Root fields a caller without credentials may use (e.g. issueAccessToken). Everything else needs an app. */
  publicRootFields?: string[];
  /**
   * Service-to-service HTTP routes under /internal/ (not part of the public API): callable only
   * with a signed context of role SERVICE. Returns false when the path is not its own.
   */
  internalRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean | void> | boolean | void;
}

export interface SubgraphServer {
  http: ServiceHttp;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Serves one subgraph: queries and mutations through Apollo Server, subscriptions as
 * GraphQL over Server-Sent Events (what the gateway's HTTP transport speaks), and the
 * operational endpoints. Every GraphQL request must carry the gateway's signed context
 * header; anything else is refused with INTERNAL_ONLY before it reaches a resolver.
 */
export async function createSubgraphServer<C extends SubgraphContext>(options: SubgraphServerOptions<C>): Promise<SubgraphServer> {
  const { name, schema, logger, signer } = options;
  const formatError = formatSubgraphError(logger);
  const apollo = new ApolloServer<C>({
    schema,
    formatError,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          return {
            async didResolveOperation(rc) {
              if (rc.contextValue.caller.role !== 'ANONYMOUS' || !rc.operation) return;
              const allowed = new Set([...(options.publicRootFields ?? []), '__typename']);
              const fields = rc.operation.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : '*'));
              if (rc.operation.operation !== 'mutation' && rc.operation.operation !== 'query') fields.push('*');
              const refused = fields.find((f) => !allowed.has(f));
              if (refused) throw unauthenticated();
            },
            async willSendResponse(rc) {
              const type = rc.operation?.operation ?? 'unknown';
              const outcome = rc.response.body.kind === 'single' && rc.response.body.singleResult.errors?.length ? 'error' : 'ok';
              graphqlOperations.inc({ service: name, type, outcome });
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const authenticate = (req: IncomingMessage): CallerContext => {
    const caller = signer.verify(req.headers[INTERNAL_CONTEXT_HEADER] as string | undefined);
    if (!caller) {
      throw new ArgusError(ErrorCode.INTERNAL_ONLY, `the ${name} subgraph accepts requests only from the Argus gateway`);
    }
    return caller;
  };

  const baseContext = (caller: CallerContext, req: IncomingMessage): SubgraphContext => {
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    return { caller, requestId, logger: logger.child({ requestId }) };
  };

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    let caller: CallerContext;
    try {
      caller = authenticate(req);
    } catch (err) {
      const e = err as ArgusError;
      return sendJson(res, 403, { errors: [{ message: e.message, extensions: { code: e.code } }] });
    }
    const wantsStream = (req.headers.accept ?? '').includes('text/event-stream');
    const raw = req.method === 'POST' ? await readBody(req, 4 << 20) : Buffer.alloc(0);
    if (wantsStream) {
      const params = req.method === 'POST' ? safeJson(raw) : paramsFromUrl(url);
      if (params === null) return sendJson(res, 400, { errors: [{ message: 'request parameters are not valid JSON', extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      return serveSse(req, res, params, await options.createContext(baseContext(caller, req)));
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method ?? 'GET',
        headers,
        search: url.search,
        body: req.method === 'POST' ? safeJson(raw) : undefined,
      },
      context: async () => options.createContext(baseContext(caller, req)),
    });
    const out: Record<string, string> = {};
    for (const [k, v] of result.headers) out[k] = v;
    res.writeHead(result.status ?? 200, out);
    if (result.body.kind === 'complete') return void res.end(result.body.string);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const serveSse = async (req: IncomingMessage, res: ServerResponse, params: GraphqlParams | null, contextValue: C) => {
    const fail = (errors: readonly GraphQLError[]) =>
      sendJson(res, 400, { errors: errors.map((e) => formatError(e.toJSON(), e)) });
    if (!params || typeof params.query !== 'string') {
      return fail([new GraphQLError('a GraphQL request needs a "query" string', { extensions: { code: 'BAD_REQUEST' } })]);
    }
    let document;
    try {
      document = parse(params.query);
    } catch (e) {
      return fail([e as GraphQLError]);
    }
    const validation = validate(schema, document);
    if (validation.length) return fail(validation);
    const op = getOperationAST(document, params.operationName ?? undefined);
    if (contextValue.caller.role === 'ANONYMOUS') return fail([unauthenticated()]);
    if (!op || op.operation !== 'subscription') {
      return fail([new GraphQLError('text/event-stream is served for subscription operations only', { extensions: { code: 'BAD_REQUEST' } })]);
    }
    const result = await subscribe({
      schema,
      document,
      variableValues: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
      contextValue,
    });
    const format = (r: ExecutionResult) =>
      r.errors ? { ...r, errors: r.errors.map((e) => formatError(e.toJSON(), e)) } : r;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    if (!(Symbol.asyncIterator in result)) {
      graphqlOperations.inc({ service: name, type: 'subscription', outcome: 'error' });
      res.write(`event: next\ndata: ${JSON.stringify(format(result))}\n\n`);
      res.write('event: complete\ndata:\n\n');
      return void res.end();
    }
    graphqlOperations.inc({ service: name, type: 'subscription', outcome: 'ok' });
    const heartbeat = setInterval(() => res.write(':\n\n'), 15_000);
    const stop = () => {
      clearInterval(heartbeat);
      void result.return?.();
    };
    req.once('close', stop);
    res.once('close', stop);
    try {
      for await (const value of result) {
        if (res.destroyed) break;
        res.write(`event: next\ndata: ${JSON.stringify(format(value))}\n\n`);
      }
      if (!res.destroyed) res.end('event: complete\ndata:\n\n');
    } catch (err) {
      logger.error({ err }, 'subscription stream failed');
      res.destroy();
    } finally {
      stop();
    }
  };

  const http = createServiceHttp({
    service: name,
    logger,
    ready: options.ready,
    routeLabel: (u) => (u.pathname === '/graphql' ? '/graphql' : u.pathname.startsWith('/') ? 'other' : 'other'),
    handle: async (req, res, url) => {
      if (url.pathname.startsWith('/internal/') && options.internalRoutes) {
        const caller = signer.verify(req.headers[INTERNAL_CONTEXT_HEADER] as string | undefined);
        if (!caller || caller.role !== 'SERVICE') {
          throw new ArgusError(ErrorCode.INTERNAL_ONLY, `${url.pathname} is for Argus services only`);
        }
        return options.internalRoutes(req, res, url);
      }
      if (url.pathname !== '/graphql') return false;
      await handleGraphql(req, res, url);
    },
  });

  return {
    http,
    listen: (port, host) => http.listen(port, host),
    close: async () => {
      await http.close();
      await apollo.stop();
    },
  };
}

interface GraphqlParams {
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
}

function safeJson(raw: Buffer): any {
  try {
    return raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return null;
  }
}

function paramsFromUrl(url: URL): GraphqlParams | null {
  try {
    return paramsFromUrlOrThrow(url);
  } catch {
    return null;
  }
}

function paramsFromUrlOrThrow(url: URL): GraphqlParams {
  const variables = url.searchParams.get('variables');
  const extensions = url.searchParams.get('extensions');
  return {
    query: url.searchParams.get('query') ?? undefined,
    operationName: url.searchParams.get('operationName'),
    variables: variables ? JSON.parse(variables) : undefined,
    extensions: extensions ? JSON.parse(extensions) : undefined,
  };
}
