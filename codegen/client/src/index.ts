import { createHash, createHmac, randomUUID } from 'node:crypto';
import { print, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export * from './generated/graphql.js';

export interface ArgusClientOptions {
  /** Gateway GraphQL URL, e.g. http://127.0.0.1:4000/graphql (graphql-ws uses the same path). */
  url: string;
  /** Access token (from issueAccessToken or POST /auth/token). */
  token?: string;
  /** Sign every request with the app's keys instead of a token (server-to-server). */
  signing?: { accessKey: string; secretKey: string };
  /** Admin app only: act inside this tenant. */
  tenantId?: string;
}

/** A GraphQL or HTTP error answered by Argus, with its stable code. */
export class ArgusClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errors: readonly GraphQLFormattedError[] = [],
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ArgusClientError';
  }
}

/** Headers of an app-signed request: HMAC-SHA256 over "secretKey,appid,timestamp,uri,md5(body)", Base64. */
export function signedRequestHeaders(
  keys: { accessKey: string; secretKey: string },
  uri: string,
  body: string,
  opts: { msgSeq?: string; timestamp?: number } = {},
): Record<string, string> {
  const timestamp = String(opts.timestamp ?? Date.now());
  const md5 = createHash('md5').update(body).digest('hex');
  const message = [keys.secretKey, keys.accessKey, timestamp, uri, md5].join(',');
  return {
    appid: keys.accessKey,
    msgSeq: opts.msgSeq ?? randomUUID(),
    timestamp,
    signature: createHmac('sha256', keys.secretKey).update(message, 'utf8').digest('base64'),
  };
}

/** POST /auth/token: exchanges AK/SK for an access token. */
export async function requestAccessToken(gatewayUrl: string, accessKey: string, secretKey: string, expiresIn?: number) {
  const base = gatewayUrl.replace(/\/graphql$/, '');
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKey, secretKey, expiresIn }),
  });
  const body = (await res.json()) as any;
  if (!res.ok) throw new ArgusClientError(body?.error?.code ?? 'HTTP_' + res.status, body?.error?.message ?? res.statusText, [], res.status);
  return body as { accessToken: string; tokenId: string; expiresAt: string; expiresIn: number };
}

export interface ArgusClient {
  /** Runs a query or mutation; throws ArgusClientError carrying the first error's code. */
  request<TData, TVars extends Record<string, unknown> = Record<string, never>>(
    document: TypedDocumentNode<TData, TVars>,
    ...variables: TVars extends Record<string, never> ? [] | [TVars] : [TVars]
  ): Promise<TData>;
  /** Runs an operation and returns the raw result (data and errors), for callers handling partial results. */
  execute<TData, TVars extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVars>, variables?: TVars): Promise<ExecutionResult<TData> & { status: number }>;
  /** Subscribes over graphql-ws; iterate the result, call return() to stop. */
  subscribe<TData, TVars extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVars>, variables?: TVars): AsyncIterableIterator<TData>;
  close(): Promise<void>;
}

export function createArgusClient(options: ArgusClientOptions): ArgusClient {
  const uri = new URL(options.url).pathname;
  let ws: Client | null = null;

  const authHeaders = (body: string): Record<string, string> => {
    const h: Record<string, string> = {};
    if (options.token) h.authorization = `Bearer ${options.token}`;
    else if (options.signing) Object.assign(h, signedRequestHeaders(options.signing, uri, body));
    if (options.tenantId) h['x-argus-tenant'] = options.tenantId;
    return h;
  };

  const execute: ArgusClient['execute'] = async (document, variables) => {
    const body = JSON.stringify({ query: print(document), variables: variables ?? {} });
    const res = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authHeaders(body) },
      body,
    });
    const text = await res.text();
    let parsed: ExecutionResult<any>;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ArgusClientError('HTTP_' + res.status, `gateway answered HTTP ${res.status}: ${text.slice(0, 200)}`, [], res.status);
    }
    return { ...parsed, status: res.status };
  };

  const wsClient = () => {
    ws ??= createClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: () => {
        const p: Record<string, string> = authHeaders('');
        return p;
      },
    });
    return ws;
  };

  return {
    execute,
    async request(document, ...variables) {
      const result = await execute(document, variables[0] as any);
      if (result.errors?.length) {
        const first = result.errors[0]!;
        throw new ArgusClientError(String(first.extensions?.code ?? 'UNKNOWN'), first.message, result.errors, result.status);
      }
      return result.data as any;
    },
    subscribe(document, variables) {
      const iterator = wsClient().iterate({ query: print(document), variables: variables ?? {} });
      const mapped: AsyncIterableIterator<any> = {
        async next() {
          const r = await iterator.next();
          if (r.done) return r;
          const value = r.value as ExecutionResult<any>;
          if (value.errors?.length) {
            const first = value.errors[0]!;
            throw new ArgusClientError(String(first.extensions?.code ?? 'UNKNOWN'), first.message, value.errors);
          }
          return { done: false, value: value.data };
        },
        async return() {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return mapped;
    },
    async close() {
      await ws?.dispose();
      ws = null;
    },
  };
}
