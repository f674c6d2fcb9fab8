/**
 * An ingress-nginx-like L7 proxy: per-request round robin over the ready endpoints of its own view,
 * an upstream keep-alive pool (320 idle connections, 60 s unless configured), and nginx's retry rules
 * (proxy_next_upstream "error timeout", 3 tries, a free extra try when a cached keep-alive connection
 * failed, never re-sending a non-idempotent request that already went out), then 502, or 504 on a
 * timeout, or 503 with no endpoint at all. Responses name the upstream in x-lameduck-upstream, as
 * nginx logs $upstream_addr.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Endpoint } from '../cluster/endpoints.js';
import { PROXY_ERROR_HEADER, TRIES_HEADER, UPSTREAM_HEADER } from '../load/classify.js';
import { ConnectionPool, isTimeout, type PooledConnection, transportCode } from '../load/connection-pool.js';
import type { EndpointView } from './propagator.js';

/** nginx proxy_next_upstream_tries as ingress-nginx sets it. */
const TRIES = 3;
/** ngx_http_upstream_next: POST, LOCK and PATCH are not passed on once sent. */
const NON_IDEMPOTENT = new Set(['POST', 'LOCK', 'PATCH']);
/** Hop-by-hop headers describe one connection, not the message (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-connection',
]);

/** How one try ended when no response could be relayed. */
interface Failure {
  readonly cause: 'refused' | 'reset' | 'timeout';
  readonly sent: boolean;
  readonly reused: boolean;
}

/** ingress-nginx's `upstream-keepalive-timeout` default. */
export const DEFAULT_UPSTREAM_KEEPALIVE_MS = 60_000;

export interface IngressOptions {
  readonly upstreamTimeoutMs: number;
  /**
   * How long an idle upstream connection is kept for reuse (nginx's keepalive_timeout in the upstream
   * block). The app's `Keep-Alive: timeout` hint does not shorten it: nginx never reads it.
   */
  readonly upstreamKeepAliveMs: number;
}

export class Ingress {
  private readonly server: http.Server;
  private readonly pools = new Map<string, ConnectionPool>();
  private readonly sockets = new Set<Socket>();
  private turn = 0;
  private socketIds = 0;

  constructor(
    private readonly view: EndpointView,
    private readonly options: IngressOptions,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // ingress-nginx keepalive_timeout 75 s.
    this.server.keepAliveTimeout = 75_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = hasBody(req) ? await readBody(req) : undefined;
    const method = req.method ?? 'GET';
    let maxTries = TRIES;
    let tries = 0;
    let last: { pod: string; cause: string } | undefined;
    while (tries < maxTries) {
      const endpoints = this.view.routable();
      if (endpoints.length === 0) return this.answer(res, 503, 'no-endpoints', last?.pod, tries);
      const endpoint = endpoints[this.turn++ % endpoints.length] as Endpoint;
      tries++;
      const failure = await this.forward(endpoint, req, body, res, tries);
      if (!failure) return;
      last = { pod: endpoint.pod, cause: failure.reused ? 'eof-reused' : failure.cause };
      if (failure.cause === 'timeout') return this.answer(res, 504, 'timeout', endpoint.pod, tries);
      if (failure.reused) maxTries++;
      if (failure.sent && NON_IDEMPOTENT.has(method)) break;
    }
    return this.answer(res, 502, last?.cause ?? 'error', last?.pod, tries);
  }

  /**
   * One try, relaying the response as it arrives. Resolves undefined once a response went to the
   * client (complete, or cut short when the upstream died mid-body), else the failure.
   */
  private forward(
    endpoint: Endpoint,
    req: http.IncomingMessage,
    body: Buffer | undefined,
    res: http.ServerResponse,
    tries: number,
  ): Promise<Failure | undefined> {
    const pool = this.poolFor(endpoint);
    const connection = pool.acquire() as PooledConnection;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    return new Promise((resolve) => {
      let sent = false;
      let reused = false;
      let relaying = false;
      const handler: Dispatcher.DispatchHandlers = {
        onConnect: () => {
          sent = true;
          reused = pool.begin(connection).reused;
        },
        onHeaders: (statusCode, rawHeaders) => {
          relaying = true;
          res.writeHead(statusCode, [
            ...relayedHeaders(rawHeaders),
            UPSTREAM_HEADER,
            endpoint.pod,
            TRIES_HEADER,
            String(tries),
          ]);
          return true;
        },
        onData: (chunk) => {
          res.write(chunk);
          return true;
        },
        onComplete: () => {
          pool.release(connection);
          res.end();
          resolve(undefined);
        },
        onError: (error: Error & { code?: string }) => {
          pool.release(connection);
          if (relaying) {
            // The upstream died mid-body: nginx can only cut the client's response short too.
            res.destroy();
            resolve(undefined);
            return;
          }
          const code = transportCode(error);
          const cause = isTimeout(error) ? 'timeout' : code === 'ECONNREFUSED' ? 'refused' : 'reset';
          resolve({ cause, sent: sent && cause !== 'refused', reused });
        },
      };
      connection.client.dispatch(
        {
          origin: `http://${endpoint.host}:${endpoint.port}`,
          path: req.url ?? '/',
          method: httpMethod(req),
          headers,
          ...(body === undefined ? {} : { body }),
          headersTimeout: this.options.upstreamTimeoutMs,
          bodyTimeout: this.options.upstreamTimeoutMs,
        },
        handler,
      );
    });
  }

  private answer(
    res: http.ServerResponse,
    status: number,
    cause: string,
    pod: string | undefined,
    tries: number,
  ): void {
    res.writeHead(status, {
      'content-type': 'text/plain',
      [PROXY_ERROR_HEADER]: cause,
      [TRIES_HEADER]: String(tries),
      ...(pod ? { [UPSTREAM_HEADER]: pod } : {}),
    });
    res.end(`${status} ${http.STATUS_CODES[status]}\n`);
  }

  /**
   * upstream-keepalive-connections 320 idle, upstream-keepalive-timeout as configured,
   * proxy-connect-timeout 5 s (ingress-nginx's ConfigMap defaults); no cap on active ones.
   */
  private poolFor(endpoint: Endpoint): ConnectionPool {
    const key = `${endpoint.host}:${endpoint.port}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new ConnectionPool(new URL(`http://${key}`), {
        maxConnections: Number.POSITIVE_INFINITY,
        maxIdle: 320,
        keepAliveTimeoutMs: this.options.upstreamKeepAliveMs,
        serverKeepAliveHint: 'ignore',
        connectTimeoutMs: 5_000,
        nextSocketId: () => ++this.socketIds,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}

function httpMethod(req: http.IncomingMessage): Dispatcher.HttpMethod {
  return (req.method ?? 'GET') as Dispatcher.HttpMethod;
}

function relayedHeaders(raw: Buffer[] | string[] | null): string[] {
  const headers: string[] = [];
  for (let i = 0; raw && i + 1 < raw.length; i += 2) {
    const name = String(raw[i]);
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, String(raw[i + 1]));
  }
  return headers;
}

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
