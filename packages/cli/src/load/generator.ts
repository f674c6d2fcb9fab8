/**
 * The load generator shared by `lab` and `verify`: an open model (constant arrival rate, latency from
 * the intended send time, as wrk2 and oha --latency-correction do) or a closed one, on Node's http
 * client, which never re-sends a request on its own (unlike Go's Transport).
 */
import http, { type Agent, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { type Clock, ERROR_CLASSES, type ErrorClass, type RequestRecord } from '../recording/records.js';
import {
  classifyStatus,
  classifyTransportError,
  PROXY_ERROR_HEADER,
  TRIES_HEADER,
  UPSTREAM_HEADER,
} from './classify.js';

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
  readonly body?: string;
  readonly timeoutMs: number;
  /** Most connections per target; the open model queues beyond it and counts the wait as latency. */
  readonly maxConnections: number;
  /** Most requests in flight; the open model drops (and counts) sends beyond it. */
  readonly maxInFlight: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadStats {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly dropped: number;
  readonly byClass: Readonly<Partial<Record<ErrorClass, number>>>;
}

export class LoadGenerator {
  readonly records: RequestRecord[] = [];
  private readonly agents: Agent[];
  private readonly connectionIds = new WeakMap<Socket, number>();
  private nextConnection = 1;
  private nextId = 1;
  private inFlight = 0;
  private dropped = 0;
  private ok = 0;
  private readonly byClass: Partial<Record<ErrorClass, number>> = {};
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly options: LoadOptions,
    private readonly clock: Clock,
  ) {
    this.agents = options.targets.map((target) => {
      const AgentClass = target.url.protocol === 'https:' ? https.Agent : http.Agent;
      return new AgentClass({ keepAlive: options.keepAlive, maxSockets: options.maxConnections });
    });
  }

  start(): void {
    this.running = true;
    const { model } = this.options;
    if (model.kind === 'open') this.pace(this.clock.now(), 1000 / model.rate, 0);
    else for (let worker = 0; worker < model.concurrency; worker++) this.loop();
  }

  /** Stops sending, waits for requests in flight (each bounded by the timeout), closes connections. */
  async stop(): Promise<RequestRecord[]> {
    this.running = false;
    clearTimeout(this.timer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    for (const agent of this.agents) agent.destroy();
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
      count++;
      if (this.inFlight >= this.options.maxInFlight) this.dropped++;
      else void this.send(intendedAt, count);
    }
    const wait = origin + count * intervalMs - this.clock.now();
    this.timer = setTimeout(() => this.pace(origin, intervalMs, count), Math.max(0, wait));
  }

  private loop(): void {
    if (!this.running) return;
    void this.send(this.clock.now(), this.nextId).then(() => this.loop());
  }

  private send(intendedAt: number, sequence: number): Promise<void> {
    const index = sequence % this.options.targets.length;
    const target = this.options.targets[index] as LoadTarget;
    const agent = this.agents[index] as Agent;
    const id = this.nextId++;
    this.inFlight++;
    return new Promise<void>((resolve) => {
      let startedAt = this.clock.now();
      let connection = 0;
      let localPort: number | undefined;
      let reused = false;
      let timedOut = false;
      let response: IncomingMessage | undefined;
      let settled = false;
      const finish = (fields: Pick<RequestRecord, 'status' | 'errorClass'> & Partial<RequestRecord>) => {
        if (settled) return;
        settled = true;
        const record: RequestRecord = {
          id,
          intendedAt,
          startedAt,
          endedAt: this.clock.now(),
          plane: target.name,
          ...(target.node === undefined ? {} : { node: target.node }),
          connection,
          reused,
          localPort,
          ...fields,
        };
        this.records.push(record);
        if (record.errorClass === undefined) this.ok++;
        else this.byClass[record.errorClass] = (this.byClass[record.errorClass] ?? 0) + 1;
        this.inFlight--;
        if (this.inFlight === 0 && !this.running) this.idle?.();
        resolve();
      };
      const transport = target.url.protocol === 'https:' ? https : http;
      const request = transport.request(target.url, {
        method: this.options.method,
        agent,
        headers: {
          ...this.options.headers,
          ...(this.options.body === undefined
            ? {}
            : { 'content-length': Buffer.byteLength(this.options.body) }),
        },
      });
      request.setTimeout(this.options.timeoutMs, () => {
        timedOut = true;
        request.destroy(new Error('timeout'));
      });
      request.on('socket', (socket: Socket) => {
        startedAt = this.clock.now();
        reused = request.reusedSocket;
        let known = this.connectionIds.get(socket);
        if (known === undefined) {
          known = this.nextConnection++;
          this.connectionIds.set(socket, known);
        }
        connection = known;
        const notePort = () => {
          localPort = socket.localPort;
        };
        if (socket.localPort !== undefined) notePort();
        else socket.once('connect', notePort);
      });
      request.on('response', (res) => {
        response = res;
        res.on('data', () => {});
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const proxyError = headerOf(res, PROXY_ERROR_HEADER);
          finish({
            status,
            errorClass: classifyStatus(status, proxyError !== undefined),
            ...optional('replica', headerOf(res, UPSTREAM_HEADER)),
            ...optional('error', proxyError),
            ...optional('tries', numberOf(headerOf(res, TRIES_HEADER))),
          });
        });
        res.on('error', (error: NodeJS.ErrnoException) => fail(error));
        res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      });
      const fail = (error: NodeJS.ErrnoException) => {
        const errorClass = classifyTransportError({
          code: error.code,
          timedOut,
          responseStarted: response !== undefined,
          reused,
        });
        finish({
          status: response?.statusCode,
          errorClass,
          error: error.code ?? error.message,
          ...optional('replica', response ? headerOf(response, UPSTREAM_HEADER) : undefined),
        });
      };
      request.on('error', fail);
      request.end(this.options.body);
    });
  }
}

function headerOf(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function numberOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

/** `{ [key]: value }` when value is defined, else `{}`: keeps records free of undefined fields. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
