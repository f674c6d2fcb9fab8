/**
 * HTTP connections that know which request went out on which TCP connection: an undici Client per
 * connection (one socket each, no pipelining), with the socket's id, local port and how many
 * requests it has served. The load generator and the emulated ingress both use it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Client } from 'undici';

export interface PooledConnection {
  readonly client: Client;
  busy: boolean;
  /** Id of the current socket; a reconnect makes a new one. */
  socketId: number;
  localPort: number | undefined;
  requestsOnSocket: number;
}

/** What a request learns when it is written to a socket. */
export interface RequestStart {
  readonly socketId: number;
  readonly localPort: number | undefined;
  /** The socket had served requests before: a kept-alive connection. */
  readonly reused: boolean;
}

export interface PoolOptions {
  /** Most connections at once; acquire() returns undefined beyond it. */
  readonly maxConnections: number;
  /** Idle connections kept for reuse; more are closed as they free up. */
  readonly maxIdle: number;
  /** How long an idle connection is kept for reuse. */
  readonly keepAliveTimeoutMs: number;
  /**
   * 'honor': close an idle connection a little before the server's `Keep-Alive: timeout=N` hint, as
   * undici and browsers do. 'ignore': keep it for keepAliveTimeoutMs whatever the server says, as
   * nginx's upstream keepalive_timeout and cloud load balancers do.
   */
  readonly serverKeepAliveHint: 'honor' | 'ignore';
  /** A connection not made within this long fails as a timeout (the kernel's SYN retries take minutes). */
  readonly connectTimeoutMs: number;
  readonly nextSocketId: () => number;
}

export class ConnectionPool {
  private readonly connections: PooledConnection[] = [];

  constructor(
    private readonly origin: URL,
    private readonly options: PoolOptions,
  ) {}

  get size(): number {
    return this.connections.length;
  }

  /** A free connection, opening another while under the limit. */
  acquire(): PooledConnection | undefined {
    const free = this.connections.find((c) => !c.busy);
    const connection =
      free ?? (this.connections.length < this.options.maxConnections ? this.open() : undefined);
    if (connection) connection.busy = true;
    return connection;
  }

  release(connection: PooledConnection): void {
    connection.busy = false;
    const idle = this.connections.filter((c) => !c.busy);
    if (idle.length > this.options.maxIdle) {
      this.connections.splice(this.connections.indexOf(connection), 1);
      void connection.client.close();
    }
  }

  /** Called from the dispatch handler's onConnect: the request is being written now. */
  begin(connection: PooledConnection): RequestStart {
    const start = {
      socketId: connection.socketId,
      localPort: connection.localPort,
      reused: connection.requestsOnSocket > 0,
    };
    connection.requestsOnSocket++;
    return start;
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.client.destroy()));
    this.connections.length = 0;
  }

  /**
   * undici keeps an idle connection min(hint - threshold, max) after a response with a hint, and
   * keepAliveTimeout without one. A threshold of minus the timeout makes that min() the timeout
   * itself, whatever the hint.
   */
  private keepAliveHintHandling(): { keepAliveMaxTimeout: number; keepAliveTimeoutThreshold?: number } {
    const timeout = this.options.keepAliveTimeoutMs;
    return this.options.serverKeepAliveHint === 'ignore'
      ? { keepAliveMaxTimeout: timeout, keepAliveTimeoutThreshold: -timeout }
      : { keepAliveMaxTimeout: Math.max(timeout, 600_000) };
  }

  private open(): PooledConnection {
    const url = this.origin;
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const connection: PooledConnection = {
      busy: false,
      socketId: 0,
      localPort: undefined,
      requestsOnSocket: 0,
      client: new Client(url.origin, {
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        ...this.keepAliveHintHandling(),
        connect: (_options, callback) => {
          const socket = secure
            ? tls.connect({ host: url.hostname, port, servername: url.hostname, rejectUnauthorized: false })
            : net.connect({ host: url.hostname, port });
          socket.setNoDelay(true);
          // A SYN to an address nobody answers (a deleted pod's IP behind a stale rule) is retried by
          // the kernel for about two minutes: the request's own timeout bounds the connect too.
          const timer = setTimeout(() => {
            const error = Object.assign(
              new Error(`connect timed out after ${this.options.connectTimeoutMs} ms`),
              {
                code: 'UND_ERR_CONNECT_TIMEOUT',
              },
            );
            socket.destroy();
            callback(error, null);
          }, this.options.connectTimeoutMs);
          const onError = (error: Error) => {
            clearTimeout(timer);
            callback(error, null);
          };
          socket.once('error', onError);
          socket.once(secure ? 'secureConnect' : 'connect', () => {
            clearTimeout(timer);
            socket.removeListener('error', onError);
            connection.socketId = this.options.nextSocketId();
            connection.localPort = socket.localPort;
            connection.requestsOnSocket = 0;
            callback(null, socket);
          });
        },
      }),
    };
    this.connections.push(connection);
    return connection;
  }
}

/** undici wraps socket errors: "other side closed" is an EOF, the peer's FIN before a response. */
export function transportCode(error: Error & { code?: string; cause?: unknown }): string | undefined {
  const cause = error.cause as { code?: string } | undefined;
  if (cause?.code) return cause.code;
  if (error.code === 'UND_ERR_SOCKET') return 'ECONNRESET';
  return error.code;
}

export function isTimeout(error: Error & { code?: string }): boolean {
  return (
    error.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    error.code === 'UND_ERR_BODY_TIMEOUT' ||
    error.code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}
