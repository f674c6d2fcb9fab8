/**
 * An ingress-nginx-like L7 proxy: per-request round robin over the ready endpoints of its own view,
 * an upstream keep-alive pool (320 idle connections, 60 s), and nginx's retry rules
 * (proxy_next_upstream "error timeout", 3 tries, a free extra try when a cached keep-alive connection
 * failed, never re-sending a non-idempotent request that already went out), then 502, or 504 on a
 * timeout, or 503 with no endpoint at all. Responses name the upstream in x-lameduck-upstream, as
 * nginx logs $upstream_addr.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Endpoint } from '../cluster/endpoints.js';
import { PROXY_ERROR_HEADER, TRIES_HEADER, UPSTREAM_HEADER } from '../load/classify.js';
import type { EndpointView } from './propagator.js';

/** nginx proxy_next_upstream_tries as ingress-nginx sets it. */
const TRIES = 3;
/** ngx_http_upstream_next: POST, LOCK and PATCH are not passed on once sent. */
const NON_IDEMPOTENT = new Set(['POST', 'LOCK', 'PATCH']);

type Attempt =
  | { readonly kind: 'response'; readonly response: http.IncomingMessage }
  | {
      readonly kind: 'error';
      readonly cause: 'refused' | 'reset' | 'timeout';
      readonly sent: boolean;
      readonly reused: boolean;
    };

export interface IngressOptions {
  readonly upstreamTimeoutMs: number;
}

export class Ingress {
  private readonly server: http.Server;
  private readonly agents = new Map<string, http.Agent>();
  private readonly sockets = new Set<Socket>();
  private turn = 0;

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

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    for (const agent of this.agents.values()) agent.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    let maxTries = TRIES;
    let tries = 0;
    let last: { pod: string; cause: string } | undefined;
    while (tries < maxTries) {
      const endpoints = this.view.routable();
      if (endpoints.length === 0) return this.answer(res, 503, 'no-endpoints', last?.pod, tries);
      const endpoint = endpoints[this.turn++ % endpoints.length] as Endpoint;
      tries++;
      const attempt = await this.forward(endpoint, req, body);
      if (attempt.kind === 'response') return this.relay(attempt.response, res, endpoint.pod, tries);
      last = { pod: endpoint.pod, cause: attempt.reused ? 'eof-reused' : attempt.cause };
      if (attempt.cause === 'timeout') return this.answer(res, 504, 'timeout', endpoint.pod, tries);
      if (attempt.reused) maxTries++;
      if (attempt.sent && NON_IDEMPOTENT.has(method)) break;
    }
    return this.answer(res, 502, last?.cause ?? 'error', last?.pod, tries);
  }

  private forward(endpoint: Endpoint, req: http.IncomingMessage, body: Buffer): Promise<Attempt> {
    return new Promise((resolve) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers.connection;
      let reused = false;
      let connected = false;
      let timedOut = false;
      const upstream = http.request({
        host: endpoint.host,
        port: endpoint.port,
        method: req.method,
        path: req.url,
        headers,
        agent: this.agentFor(endpoint),
      });
      upstream.on('socket', (socket: Socket) => {
        reused = upstream.reusedSocket;
        if (reused || !socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      upstream.setTimeout(this.options.upstreamTimeoutMs, () => {
        timedOut = true;
        upstream.destroy();
      });
      upstream.once('response', (response) => resolve({ kind: 'response', response }));
      upstream.once('error', (error: NodeJS.ErrnoException) => {
        const cause = timedOut ? 'timeout' : error.code === 'ECONNREFUSED' ? 'refused' : 'reset';
        resolve({ kind: 'error', cause, sent: connected, reused });
      });
      upstream.end(body);
    });
  }

  private relay(response: http.IncomingMessage, res: http.ServerResponse, pod: string, tries: number): void {
    const headers: http.OutgoingHttpHeaders = {
      ...response.headers,
      [UPSTREAM_HEADER]: pod,
      [TRIES_HEADER]: String(tries),
    };
    // Hop-by-hop: they describe the upstream connection, not the client's.
    for (const name of ['connection', 'keep-alive', 'transfer-encoding']) delete headers[name];
    res.writeHead(response.statusCode ?? 502, headers);
    response.pipe(res);
    // The upstream died mid-body: nginx can only cut the client's response short too.
    response.once('aborted', () => res.destroy());
    response.once('error', () => res.destroy());
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

  /** upstream-keepalive-connections 320, upstream-keepalive-timeout 60 s. */
  private agentFor(endpoint: Endpoint): http.Agent {
    const key = `${endpoint.host}:${endpoint.port}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true, maxFreeSockets: 320, timeout: 60_000, scheduling: 'lifo' });
      this.agents.set(key, agent);
    }
    return agent;
  }
}
