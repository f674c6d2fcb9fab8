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
import { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { type TLSSocket, Server as TlsServer } from 'node:tls';

/** What lameduck needs of a server: http, https, http2 (cleartext or secure) all fit. */
export interface AttachableServer {
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  close(callback?: (error?: Error) => void): unknown;
  readonly listening: boolean;
}

interface SocketState {
  /** Responses started and not yet closed (more than one only with pipelining). */
  inFlight: number;
  /** socket.bytesRead when the socket last became idle: more means a request is on its way in. */
  bytesReadWhenIdle: number;
  /** performance.now() when the socket last became idle (or connected). */
  idleSince: number;
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
  private sweepTimer: NodeJS.Timeout | undefined;

  /**
   * @param idleGraceMs an idle socket used more recently than this is not closed during the drain
   *   until its next request (answered with Connection: close) or until it has been idle this long:
   *   closing a socket the client is reusing at that moment would reset the request it sends.
   */
  constructor(
    private readonly changed: () => void,
    private readonly idleGraceMs: number,
  ) {}

  attach(server: AttachableServer): void {
    const secure = server instanceof TlsServer;
    const http2 = isHttp2Server(server);
    server.on(secure ? 'secureConnection' : 'connection', (socket: Duplex) => {
      // HTTP/2 connections are tracked as sessions; an h2 server with allowHTTP1 also serves 1.x sockets.
      if (http2 && (!secure || (socket as TLSSocket).alpnProtocol === 'h2')) return;
      this.trackSocket(socket);
    });
    server.on('session', (session: Http2Session) => this.trackSession(session));
    intercept(server, this);
  }

  counts(): ConnectionCounts {
    let inFlight = 0;
    for (const state of this.sockets.values()) inFlight += state.inFlight;
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
   * Busy sockets get `Connection: close` on every response that has not sent its headers; HTTP/2
   * sessions get GOAWAY; upgraded sockets go to the app's handler. Idle sockets are settled next.
   */
  startDrain(onUpgraded: UpgradedSocketHandler | undefined): void {
    this.draining = true;
    this.onUpgraded = onUpgraded;
    for (const socket of this.sockets.keys()) {
      const current = currentResponse(socket);
      if (current) closeAfter(current);
    }
    for (const session of this.sessions.keys()) closeSession(session);
    for (const [socket, req] of this.upgraded) onUpgraded?.(socket, req);
  }

  /**
   * The idle sockets, including ones that connected and never sent a request, taken out of the
   * count and returned for the caller to close (or to leave to the kernel at exit). Decided one
   * event-loop turn later: a request a client has just sent on an "idle" socket is then read and
   * served, where closing a socket with unread data would have reset it.
   */
  async settleIdle(): Promise<Duplex[]> {
    await afterPendingReads();
    const now = performance.now();
    const idle: Duplex[] = [];
    for (const [socket, state] of this.sockets) {
      if (this.isIdle(socket, state) && now - state.idleSince >= this.idleGraceMs) idle.push(socket);
    }
    for (const socket of idle) this.sockets.delete(socket);
    this.scheduleSweep();
    return idle;
  }

  /** At the deadline: everything still open is cut. Returns how many connections that was. */
  destroyAll(): number {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    const cut = this.sockets.size + this.sessions.size + this.upgraded.size;
    for (const socket of this.sockets.keys()) socket.destroy();
    for (const session of this.sessions.keys()) session.destroy();
    for (const socket of this.upgraded.keys()) socket.destroy();
    return cut;
  }

  private trackSocket(socket: Duplex): void {
    const state: SocketState = {
      inFlight: 0,
      bytesReadWhenIdle: bytesRead(socket),
      idleSince: performance.now(),
    };
    this.sockets.set(socket, state);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.changed();
    });
    // A connection accepted just before the listener closed.
    if (this.draining) this.closeIfIdle(socket, state);
  }

  /** Called for every request before the app sees it: keep it cheap (see bench/runtime). */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (req.httpVersionMajor >= 2) return; // counted as a stream of its session
    const socket = req.socket as Duplex;
    let state = this.sockets.get(socket);
    if (!state) {
      // The server was attached after this connection was accepted.
      this.trackSocket(socket);
      state = this.sockets.get(socket) as SocketState;
    }
    state.inFlight++;
    if (this.draining) closeAfter(res);
    res.on('close', this.onResponseClose);
  }

  /** One listener for every response, bound once: no closure or property per request. */
  private readonly onResponseClose = (() => {
    const tracker = this;
    return function (this: ServerResponse): void {
      // res.socket is already detached at 'close'; the request keeps its socket.
      tracker.responseClosed(this.req.socket as Duplex);
    };
  })();

  private responseClosed(socket: Duplex): void {
    const state = this.sockets.get(socket);
    if (!state) return;
    state.inFlight--;
    state.bytesReadWhenIdle = bytesRead(socket);
    state.idleSince = performance.now();
    if (this.draining) this.closeIfIdle(socket, state);
  }

  /** No response in progress, and no bytes read since the last one (else a request is arriving). */
  private isIdle(socket: Duplex, state: SocketState): boolean {
    return state.inFlight === 0 && bytesRead(socket) === state.bytesReadWhenIdle;
  }

  /** During the drain, a socket that turns idle is closed once its idle grace has passed. */
  private closeIfIdle(socket: Duplex, state: SocketState): void {
    if (this.isIdle(socket, state)) this.scheduleSweep();
  }

  /** One timer for all sockets: closes those idle past their grace, then waits for the next one. */
  private scheduleSweep(): void {
    if (this.sweepTimer) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [socket, state] of this.sockets) {
      if (this.isIdle(socket, state)) next = Math.min(next, state.idleSince + this.idleGraceMs);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(next - performance.now(), 0));
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = performance.now();
    let closed = false;
    for (const [socket, state] of this.sockets) {
      if (this.isIdle(socket, state) && now - state.idleSince >= this.idleGraceMs) {
        socket.destroy();
        // Done as far as the drain is concerned: no need to wait for its asynchronous 'close'.
        this.sockets.delete(socket);
        closed = true;
      }
    }
    if (closed) this.changed();
    this.scheduleSweep();
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

  trackUpgraded(socket: Duplex, req: IncomingMessage): void {
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

/** Resolves after the event loop has run the read callbacks already due (poll, then check phase). */
function afterPendingReads(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * The response a socket is writing now. `_httpMessage` is Node's own link from socket to response
 * (http.Server#closeIdleConnections() reads it too); it saves a per-request collection.
 */
function currentResponse(socket: Duplex): ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/** Node closes the socket after a response whose Connection header says close. */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

/**
 * Stop accepting connections. http.Server#close() would first destroy every idle socket one by one
 * (about 10 µs each in Node 20); the drain closes those itself, or leaves them to the kernel at exit.
 */
export function closeListener(server: AttachableServer): void {
  if (!server.listening) return;
  if (server instanceof NetServer) NetServer.prototype.close.call(server);
  else server.close();
}

function closeSession(session: Http2Session): void {
  if (!session.closed && !session.destroyed) session.close();
}

/** An http2 server, or a subclass of one: its own class or an ancestor is Node's Http2(Secure)Server. */
export function isHttp2Server(server: AttachableServer): boolean {
  for (let proto = Object.getPrototypeOf(server); proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name === 'Http2Server' || name === 'Http2SecureServer') return true;
  }
  return false;
}

/** The events that hand the app a request: plain ones, and those behind an Expect header. */
const REQUEST_EVENTS = new Set(['request', 'checkContinue', 'checkExpectation']);
/** The events after which a socket has left HTTP for good: an upgrade, or a CONNECT tunnel. */
const TUNNEL_EVENTS = new Set(['upgrade', 'connect']);

/**
 * See requests, upgrades and CONNECT tunnels as the server emits them. A listener of our own would cost more:
 * a second 'request' listener makes every emit copy the listener array, and an 'upgrade' listener
 * would change Node's behaviour (it treats a request as an upgrade only when someone listens).
 */
function intercept(server: AttachableServer, tracker: ConnectionTracker): void {
  const emit = server.emit;
  server.emit = function (this: AttachableServer, event: string | symbol): boolean {
    // biome-ignore lint/complexity/noArguments: forwarding all arguments without an allocation per event
    const args = arguments;
    if (REQUEST_EVENTS.has(event as string))
      tracker.onRequest(args[1] as IncomingMessage, args[2] as ServerResponse);
    const handled = emit.apply(this, args as unknown as Parameters<typeof emit>);
    if (TUNNEL_EVENTS.has(event as string) && handled)
      tracker.trackUpgraded(args[2] as Duplex, args[1] as IncomingMessage);
    return handled;
  } as typeof server.emit;
}
