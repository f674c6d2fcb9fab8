/**
 * Every connection of the attached servers, and what it carries, so a drain can close exactly the
 * idle ones, tell busy ones to close after their response, and know when nothing is left.
 *
 * HTTP/1.x sockets are tracked from 'connection' (or 'secureConnection' for TLS) with their
 * in-flight responses. HTTP/2 sessions are tracked from 'session' and drained with GOAWAY
 * (`session.close()` lets open streams finish). Upgraded sockets (WebSocket) leave HTTP, so they
 * are handed to the app at drain time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { type TLSSocket, Server as TlsServer } from 'node:tls';

/** What lameduck needs of a server: http, https, http2 (cleartext or secure) all fit. */
export interface AttachableServer {
  on(event: string, listener: (...args: never[]) => void): unknown;
  prependListener(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  close(callback?: (error?: Error) => void): unknown;
  readonly listening: boolean;
}

interface SocketState {
  readonly responses: Set<ServerResponse>;
  /** socket.bytesRead when the socket last became idle: more means a request is on its way in. */
  bytesReadWhenIdle: number;
}

export interface ConnectionCounts {
  /** Requests (HTTP/1.x) and streams (HTTP/2) being served. */
  readonly inFlight: number;
  /** HTTP/1.x sockets, HTTP/2 sessions and upgraded sockets still open. */
  readonly connections: number;
  readonly upgraded: number;
}

export type UpgradedSocketHandler = (socket: Duplex, request: IncomingMessage) => void;

export class ConnectionTracker {
  private readonly sockets = new Map<Duplex, SocketState>();
  private readonly sessions = new Map<Http2Session, Set<ServerHttp2Stream>>();
  private readonly upgraded = new Map<Duplex, IncomingMessage>();
  private draining = false;
  private onUpgraded: UpgradedSocketHandler | undefined;

  constructor(private readonly changed: () => void) {}

  attach(server: AttachableServer): void {
    const secure = server instanceof TlsServer;
    const http2 = isHttp2Server(server);
    server.on(secure ? 'secureConnection' : 'connection', (socket: Duplex) => {
      // HTTP/2 connections are tracked as sessions; an h2 server with allowHTTP1 also serves 1.x sockets.
      if (http2 && (!secure || (socket as TLSSocket).alpnProtocol === 'h2')) return;
      this.trackSocket(socket);
    });
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
      this.onRequest(req, res),
    );
    server.on('session', (session: Http2Session) => this.trackSession(session));
    observeUpgrades(server, (socket, req) => this.trackUpgraded(socket, req));
  }

  counts(): ConnectionCounts {
    let inFlight = 0;
    for (const state of this.sockets.values()) inFlight += state.responses.size;
    for (const streams of this.sessions.values()) inFlight += streams.size;
    return {
      inFlight,
      connections: this.sockets.size + this.sessions.size + this.upgraded.size,
      upgraded: this.upgraded.size,
    };
  }

  isEmpty(): boolean {
    return this.sockets.size === 0 && this.sessions.size === 0 && this.upgraded.size === 0;
  }

  /**
   * Idle sockets close now, including ones that connected and never sent a request; busy ones get
   * `Connection: close` on every response that has not sent its headers; HTTP/2 sessions get
   * GOAWAY; upgraded sockets go to the app's handler.
   */
  startDrain(onUpgraded: UpgradedSocketHandler | undefined): void {
    this.draining = true;
    this.onUpgraded = onUpgraded;
    for (const [socket, state] of this.sockets) {
      for (const res of state.responses) closeAfter(res);
      this.closeIfIdle(socket, state);
    }
    for (const session of this.sessions.keys()) closeSession(session);
    for (const [socket, req] of this.upgraded) onUpgraded?.(socket, req);
    this.changed();
  }

  /** At the deadline: everything still open is cut. Returns how many connections that was. */
  destroyAll(): number {
    const cut = this.sockets.size + this.sessions.size + this.upgraded.size;
    for (const socket of this.sockets.keys()) socket.destroy();
    for (const session of this.sessions.keys()) session.destroy();
    for (const socket of this.upgraded.keys()) socket.destroy();
    return cut;
  }

  private trackSocket(socket: Duplex): void {
    const state: SocketState = { responses: new Set(), bytesReadWhenIdle: bytesRead(socket) };
    this.sockets.set(socket, state);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.changed();
    });
    // A connection accepted just before the listener closed.
    if (this.draining) this.closeIfIdle(socket, state);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (req.httpVersionMajor >= 2) return; // counted as a stream of its session
    const socket = req.socket as Duplex;
    let state = this.sockets.get(socket);
    if (!state) {
      // The server was attached after this connection was accepted.
      this.trackSocket(socket);
      state = this.sockets.get(socket) as SocketState;
    }
    const tracked = state;
    tracked.responses.add(res);
    if (this.draining) closeAfter(res);
    res.once('close', () => {
      tracked.responses.delete(res);
      tracked.bytesReadWhenIdle = bytesRead(socket);
      if (this.draining) this.closeIfIdle(socket, tracked);
      this.changed();
    });
    this.changed();
  }

  private closeIfIdle(socket: Duplex, state: SocketState): void {
    if (state.responses.size > 0 || !this.sockets.has(socket)) return;
    // Bytes read since the last response: a request is arriving; it will get Connection: close.
    if (bytesRead(socket) > state.bytesReadWhenIdle) return;
    socket.destroy();
  }

  private trackSession(session: Http2Session): void {
    const streams = new Set<ServerHttp2Stream>();
    this.sessions.set(session, streams);
    session.on('stream', (stream: ServerHttp2Stream) => {
      streams.add(stream);
      stream.once('close', () => {
        streams.delete(stream);
        this.changed();
      });
      this.changed();
    });
    session.once('close', () => {
      this.sessions.delete(session);
      this.changed();
    });
    if (this.draining) closeSession(session);
  }

  private trackUpgraded(socket: Duplex, req: IncomingMessage): void {
    // The upgraded socket has left HTTP: it is no longer a request-carrying socket.
    this.sockets.delete(socket);
    this.upgraded.set(socket, req);
    socket.once('close', () => {
      this.upgraded.delete(socket);
      this.changed();
    });
    if (this.draining) this.onUpgraded?.(socket, req);
    this.changed();
  }
}

function bytesRead(socket: Duplex): number {
  return (socket as Duplex & { bytesRead?: number }).bytesRead ?? 0;
}

/** Node closes the socket after a response whose Connection header says close. */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

function closeSession(session: Http2Session): void {
  if (!session.closed && !session.destroyed) session.close();
}

function isHttp2Server(server: AttachableServer): boolean {
  const name = server.constructor?.name ?? '';
  return name === 'Http2Server' || name === 'Http2SecureServer';
}

/**
 * Node decides whether a request is an upgrade by whether the server has 'upgrade' listeners, so
 * adding one would change the app's behaviour. Instead, see the event as it is emitted.
 */
function observeUpgrades(
  server: AttachableServer,
  seen: (socket: Duplex, req: IncomingMessage) => void,
): void {
  const emit = server.emit.bind(server);
  server.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    const handled = emit(event, ...args);
    if (event === 'upgrade' && handled) seen(args[1] as Duplex, args[0] as IncomingMessage);
    return handled;
  };
}
