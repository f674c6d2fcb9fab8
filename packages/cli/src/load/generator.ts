/**
 * The load generator shared by `lab` and `verify`: an open model (constant arrival rate, latency from
 * the intended send time, as wrk2 and oha --latency-correction do) or a closed one.
 *
 * Built on undici's low-level `dispatch`, one Client per connection, so that each request is tied to
 * the exact TCP connection it went out on (its id, local port, and whether it had served requests
 * before). undici never re-sends a request that was written; requests still queued when a
 * connection dies go out on a new one, as with any client. Like browsers, undici lets FIN or RST
 * already pending on an idle kept-alive socket be read before reusing it.
 */
import type { Dispatcher } from 'undici';
import {
  type Clock,
  ERROR_CLASSES,
  type ErrorClass,
  type LoadStats,
  type RequestRecord,
} from '../recording/records.js';
import {
  classifyStatus,
  classifyTransportError,
  PROXY_ERROR_HEADER,
  TRIES_HEADER,
  UPSTREAM_HEADER,
} from './classify.js';
import { ConnectionPool, isTimeout, type PooledConnection, transportCode } from './connection-pool.js';

export type LoadModel =
  | { readonly kind: 'open'; readonly rate: number }
  | { readonly kind: 'closed'; readonly concurrency: number };

export interface LoadTarget {
  /** Shown in records and the report: the data plane, or the URL's host. */
  readonly name: string;
  readonly url: URL;
  /** The node this target is on (one per emulated kube-proxy), kept in the record. */
  readonly node?: string;
}

export interface LoadOptions {
  readonly targets: readonly LoadTarget[];
  readonly model: LoadModel;
  readonly keepAlive: boolean;
  readonly method: string;
  readonly body?: string | undefined;
  readonly timeoutMs: number;
  /** Most connections per target; the open model queues beyond it and counts the wait as latency. */
  readonly maxConnections: number;
  /** Most requests in flight or queued; the open model drops (and counts) sends beyond it. */
  readonly maxInFlight: number;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Pending {
  readonly intendedAt: number;
  readonly sequence: number;
}

interface TargetPool {
  readonly target: LoadTarget;
  readonly connections: ConnectionPool;
  readonly queue: Pending[];
}

export class LoadGenerator {
  readonly records: RequestRecord[] = [];
  private readonly pools: TargetPool[];
  private nextSocket = 1;
  private nextId = 1;
  private inFlight = 0;
  private dropped = 0;
  private ok = 0;
  private readonly byClass: Partial<Record<ErrorClass, number>> = {};
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: (() => void) | undefined;
  private readonly body: Buffer | undefined;

  constructor(
    private readonly options: LoadOptions,
    private readonly clock: Clock,
  ) {
    this.pools = options.targets.map((target) => ({
      target,
      queue: [],
      connections: new ConnectionPool(target.url, {
        maxConnections: options.maxConnections,
        maxIdle: options.maxConnections,
        keepAliveTimeoutMs: 60_000,
        serverKeepAliveHint: 'honor',
        connectTimeoutMs: options.timeoutMs,
        nextSocketId: () => this.nextSocket++,
      }),
    }));
    this.body = options.body === undefined ? undefined : Buffer.from(options.body);
  }

  start(): void {
    this.running = true;
    const { model } = this.options;
    if (model.kind === 'open') {
      this.pace(this.clock.now(), 1000 / model.rate, 0);
    } else {
      for (let worker = 0; worker < model.concurrency; worker++) this.submit(this.clock.now(), worker);
    }
  }

  /** Stops sending, lets requests in flight or queued finish (each bounded by the timeout), closes. */
  async stop(): Promise<RequestRecord[]> {
    this.running = false;
    clearTimeout(this.timer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await Promise.all(this.pools.map((pool) => pool.connections.close()));
    return this.records;
  }

  stats(): LoadStats {
    const failed = ERROR_CLASSES.reduce((sum, c) => sum + (this.byClass[c] ?? 0), 0);
    return {
      sent: this.nextId - 1,
      ok: this.ok,
      failed,
      inFlight: this.inFlight,
      dropped: this.dropped,
      byClass: { ...this.byClass },
    };
  }

  /** Sends every request whose intended time has come, then sleeps until the next one is due. */
  private pace(origin: number, intervalMs: number, sent: number): void {
    if (!this.running) return;
    const now = this.clock.now();
    let count = sent;
    while (origin + count * intervalMs <= now) {
      const intendedAt = origin + count * intervalMs;
      if (this.inFlight >= this.options.maxInFlight) this.dropped++;
      else this.submit(intendedAt, count);
      count++;
    }
    const wait = origin + count * intervalMs - this.clock.now();
    this.timer = setTimeout(() => this.pace(origin, intervalMs, count), Math.max(0, wait));
  }

  /** Queues a request for its target and sends it as soon as a connection is free. */
  private submit(intendedAt: number, sequence: number): void {
    const pool = this.pools[sequence % this.pools.length] as TargetPool;
    this.inFlight++;
    pool.queue.push({ intendedAt, sequence });
    this.drain(pool);
  }

  private drain(pool: TargetPool): void {
    while (pool.queue.length > 0) {
      const connection = pool.connections.acquire();
      if (!connection) return;
      const next = pool.queue.shift() as Pending;
      this.send(pool, connection, next);
    }
  }

  private send(pool: TargetPool, connection: PooledConnection, pending: Pending): void {
    const { target } = pool;
    const id = this.nextId++;
    let startedAt = this.clock.now();
    let reused = false;
    let socketId = 0;
    let localPort: number | undefined;
    let status: number | undefined;
    let headers: Record<string, string> = {};
    const finish = (fields: Pick<RequestRecord, 'status' | 'errorClass'> & Partial<RequestRecord>) => {
      const record: RequestRecord = {
        id,
        intendedAt: pending.intendedAt,
        startedAt,
        endedAt: this.clock.now(),
        plane: target.name,
        ...(target.node === undefined ? {} : { node: target.node }),
        connection: socketId,
        reused,
        localPort,
        ...optional('replica', headers[UPSTREAM_HEADER]),
        ...optional('tries', headers[TRIES_HEADER] === undefined ? undefined : Number(headers[TRIES_HEADER])),
        ...fields,
      };
      this.records.push(record);
      if (record.errorClass === undefined) this.ok++;
      else this.byClass[record.errorClass] = (this.byClass[record.errorClass] ?? 0) + 1;
      pool.connections.release(connection);
      this.inFlight--;
      if (this.running && this.options.model.kind === 'closed')
        this.submit(this.clock.now(), pending.sequence);
      else this.drain(pool);
      if (this.inFlight === 0 && !this.running) this.idle?.();
    };
    const handler: Dispatcher.DispatchHandlers = {
      onConnect: () => {
        startedAt = this.clock.now();
        ({ socketId, localPort, reused } = pool.connections.begin(connection));
      },
      onHeaders: (statusCode, rawHeaders) => {
        status = statusCode;
        headers = lameduckHeaders(rawHeaders);
        return true;
      },
      onData: () => true,
      onComplete: () => {
        const code = status ?? 0;
        finish({
          status: code,
          errorClass: classifyStatus(code, headers[PROXY_ERROR_HEADER] !== undefined),
          ...optional('error', headers[PROXY_ERROR_HEADER]),
        });
      },
      onError: (error: Error & { code?: string }) => {
        const code = transportCode(error);
        finish({
          status,
          errorClass: classifyTransportError({
            code,
            timedOut: isTimeout(error),
            responseStarted: status !== undefined,
            reused,
          }),
          error: code ?? error.message,
        });
      },
    };
    connection.client.dispatch(
      {
        origin: target.url.origin,
        path: `${target.url.pathname}${target.url.search}`,
        method: this.options.method as Dispatcher.HttpMethod,
        headers: {
          ...this.options.headers,
          ...(this.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(this.body === undefined ? {} : { body: this.body }),
        reset: !this.options.keepAlive,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      },
      handler,
    );
  }
}

const WANTED = new Set([UPSTREAM_HEADER, PROXY_ERROR_HEADER, TRIES_HEADER]);

function lameduckHeaders(raw: Buffer[] | string[] | null): Record<string, string> {
  const found: Record<string, string> = {};
  if (!raw) return found;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    if (WANTED.has(name)) found[name] = String(raw[i + 1]);
  }
  return found;
}

/** `{ [key]: value }` when value is defined, else `{}`: keeps records free of undefined fields. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** What a rehearsal's load is, from its flags; lab and verify pass their own targets. */
export interface RehearsalLoad {
  readonly model: LoadModel;
  readonly keepAlive: boolean;
  readonly method: string;
  readonly body?: string | undefined;
  readonly timeoutMs: number;
}

/** The load generator as lab and verify run it: bounded connections and in-flight requests. */
export function rehearsalLoad(
  targets: readonly LoadTarget[],
  load: RehearsalLoad,
  clock: Clock,
): LoadGenerator {
  return new LoadGenerator(
    {
      targets,
      model: load.model,
      keepAlive: load.keepAlive,
      method: load.method,
      ...(load.body === undefined ? {} : { body: load.body }),
      timeoutMs: load.timeoutMs,
      maxConnections: 256,
      maxInFlight: 10_000,
    },
    clock,
  );
}
