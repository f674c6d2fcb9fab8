/**
 * Graceful shutdown that loses nothing. On SIGTERM:
 *   1. readiness fails (503) at once; liveness keeps passing;
 *   2. optional in-app delay (drainDelayMs) while requests are still served;
 *   3. listeners close; idle sockets close; busy ones get Connection: close; HTTP/2 gets GOAWAY;
 *      upgraded sockets go to onUpgradedSocket;
 *   4. in-flight requests finish, until the drain deadline;
 *   5. cleanup hooks run in reverse order, each with its own timeout;
 *   6. exit 0 when all of it finished cleanly, 1 when anything was cut or failed.
 * The deadline comes from the pod's budget (see deadline.ts) so the process exits before SIGKILL.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import {
  type AttachableServer,
  type ConnectionCounts,
  ConnectionTracker,
  closeListener,
  type UpgradedSocketHandler,
} from './connections.js';
import { type Deadline, DeadlineConfigError, shutdownDeadline } from './deadline.js';
import {
  createHealthServer,
  type HealthHandler,
  type HealthReport,
  type HealthServerOptions,
  sendReport,
} from './health.js';
import { type CleanupHook, type HookOutcome, runHooks } from './hooks.js';
import { raiseKeepAlive, validateUpstreamIdleTimeout } from './keep-alive.js';
import { type LoggerOption, resolveLogger } from './logger.js';
import { type ProcReader, pid1Warning } from './pid1.js';

export type Phase = 'starting' | 'ready' | 'delaying' | 'draining' | 'cleanup' | 'exiting';

export interface LameduckOptions {
  /** Servers to drain; more can be attached later with attach(). */
  readonly servers?: readonly AttachableServer[];
  /** Signals that start the shutdown (default SIGTERM and SIGINT); false handles none. */
  readonly signals?: readonly NodeJS.Signals[] | false;
  /** A second signal during shutdown exits at once with 1 (default true). */
  readonly forceOnSecondSignal?: boolean;
  /** Deadline from the signal to exit, in ms; default: from TERMINATION_GRACE_PERIOD_SECONDS and PRESTOP_SECONDS. */
  readonly timeoutMs?: number;
  /** Exit this long before SIGKILL when the deadline comes from the environment (default 2000). */
  readonly marginMs?: number;
  /** Keep serving this long after readiness fails, before closing (for images without sleep, or clusters < 1.30). */
  readonly drainDelayMs?: number;
  /** Extra readiness conditions, e.g. a database ping. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Called at drain start for each upgraded (WebSocket) socket, so the app can send close code 1001. */
  readonly onUpgradedSocket?: UpgradedSocketHandler;
  /**
   * A keep-alive socket used within this many ms is not closed at drain start: its next request is
   * answered with Connection: close instead, or it closes once idle this long (default 1000).
   * Closing a socket at the instant a client reuses it would reset that request.
   */
  readonly idleGraceMs?: number;
  /**
   * The idle timeout of the load balancer or proxy in front of the servers, in ms. Each attached
   * http(s) server then keeps idle connections 1 s longer (keepAliveTimeout), so the upstream closes
   * them first and never sends a request on a connection Node is closing; headersTimeout is raised
   * above keepAliveTimeout. Default: Node's own timeouts are left alone.
   */
  readonly upstreamIdleTimeoutMs?: number;
  /** Default timeout of a cleanup hook (default 5000 ms). */
  readonly hookTimeoutMs?: number;
  readonly logger?: LoggerOption;
  /** How to end the process (default process.exit); tests pass their own. */
  readonly exit?: (code: number) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Warn at start-up when SIGTERM cannot reach this process (default true). */
  readonly pid1Check?: boolean;
  /** For tests of the PID 1 check. */
  readonly procReader?: ProcReader;
}

export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => boolean | Promise<boolean>;
}

export interface LameduckState extends ConnectionCounts {
  readonly phase: Phase;
}

export interface ShutdownEvent {
  readonly reason: string;
  readonly deadline: Deadline;
}

export interface ExitEvent {
  readonly code: number;
  readonly ms: number;
  readonly cut: number;
  readonly hooks: readonly HookOutcome[];
}

export interface LameduckEvents {
  shutdown: [ShutdownEvent];
  drained: [{ readonly ms: number }];
  timeout: [{ readonly ms: number; readonly cut: number; readonly stage: 'drain' | 'cleanup' }];
  exit: [ExitEvent];
}

const DEFAULT_HOOK_TIMEOUT_MS = 5000;
const DEFAULT_IDLE_GRACE_MS = 1000;

function defaultProcReader(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class Lameduck extends EventEmitter<LameduckEvents> {
  private currentPhase: Phase = 'starting';
  private readonly servers: AttachableServer[] = [];
  private readonly hooks: CleanupHook[] = [];
  /** Computed, and so validated, when the instance is made: never first at SIGTERM. */
  private readonly deadline: Deadline;
  private readonly tracker: ConnectionTracker;
  private readonly log;
  private readonly exitProcess: (code: number) => void;
  private shutdownPromise: Promise<number> | undefined;
  private wakeDrain: (() => void) | undefined;
  private healthServer: Server | undefined;
  private exited = false;

  /** Readiness for any framework: `app.get('/healthz/ready', lameduck.readiness)`. */
  readonly readiness: HealthHandler = (_req, res) => {
    this.readinessReport().then(
      (report) => sendReport(res, report),
      () => sendReport(res, { status: 503, body: { status: 'error', phase: this.phase } }),
    );
  };

  /** Liveness: 200 in every phase, draining included. A drain must never look like a dead process. */
  readonly liveness: HealthHandler = (_req, res) => sendReport(res, this.livenessReport());

  constructor(private readonly options: LameduckOptions = {}) {
    super();
    // Every setting is checked now, at start-up: a bad one found at SIGTERM would crash the drain.
    this.deadline = shutdownDeadline({
      timeoutMs: options.timeoutMs,
      marginMs: options.marginMs,
      env: options.env ?? process.env,
    });
    for (const name of ['drainDelayMs', 'idleGraceMs', 'hookTimeoutMs'] as const) {
      const value = options[name];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
        throw new DeadlineConfigError(`${name} must be a number of milliseconds, 0 or more, got ${value}`);
      }
    }
    if (options.upstreamIdleTimeoutMs !== undefined)
      validateUpstreamIdleTimeout(options.upstreamIdleTimeoutMs);
    this.log = resolveLogger(options.logger);
    this.exitProcess = options.exit ?? ((code) => process.exit(code));
    this.tracker = new ConnectionTracker(
      () => this.onConnectionsChanged(),
      options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS,
    );
    for (const server of options.servers ?? []) this.attach(server);
    const signals = options.signals === false ? [] : (options.signals ?? ['SIGTERM', 'SIGINT']);
    for (const signal of signals) process.on(signal, () => this.onSignal(signal));
    if (options.pid1Check !== false) {
      const warning = pid1Warning({
        pid: process.pid,
        platform: process.platform,
        env: options.env ?? process.env,
        read: options.procReader ?? defaultProcReader,
      });
      if (warning) this.log.warn({ event: 'pid1' }, warning);
    }
  }

  /** 'starting' becomes 'ready' by itself once every attached server listens. */
  get phase(): Phase {
    const listening = this.servers.length > 0 && this.servers.every((s) => s.listening);
    return this.currentPhase === 'starting' && listening ? 'ready' : this.currentPhase;
  }

  attach(server: AttachableServer): this {
    this.servers.push(server);
    this.tracker.attach(server);
    if (this.options.upstreamIdleTimeoutMs !== undefined)
      raiseKeepAlive(server, this.options.upstreamIdleTimeoutMs);
    return this;
  }

  /** A cleanup hook; hooks run in reverse order of registration after the drain. */
  onShutdown(name: string, run: () => unknown, options: { timeoutMs?: number } = {}): this {
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 0)) {
      throw new DeadlineConfigError(
        `onShutdown("${name}") timeoutMs must be a number of milliseconds, 0 or more, got ${options.timeoutMs}`,
      );
    }
    this.hooks.push({
      name,
      run,
      timeoutMs: options.timeoutMs ?? this.options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
    });
    return this;
  }

  state(): LameduckState {
    return { phase: this.phase, ...this.tracker.counts() };
  }

  async readinessReport(): Promise<HealthReport> {
    const phase = this.phase;
    if (phase !== 'ready')
      return { status: 503, body: { status: phase === 'starting' ? 'starting' : 'shutting_down', phase } };
    const results = await Promise.all(
      (this.options.readinessChecks ?? []).map(async ({ name, check }) => {
        try {
          return (await check()) ? undefined : name;
        } catch {
          return name;
        }
      }),
    );
    const failed = results.filter((name): name is string => name !== undefined);
    if (this.phase !== 'ready') return { status: 503, body: { status: 'shutting_down', phase: this.phase } };
    return failed.length > 0
      ? { status: 503, body: { status: 'not_ready', phase, failed } }
      : { status: 200, body: { status: 'ready', phase } };
  }

  livenessReport(): HealthReport {
    return { status: 200, body: { status: 'alive', phase: this.phase } };
  }

  /** A dedicated health server that keeps answering while the app's own listeners are closed. */
  async serveHealth(options: HealthServerOptions): Promise<Server> {
    const server = createHealthServer(
      options,
      () => this.readinessReport(),
      () => this.livenessReport(),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    this.healthServer = server;
    return server;
  }

  /** Starts the shutdown (idempotent) and resolves with the exit code once exit() was called. */
  shutdown(reason = 'shutdown requested'): Promise<number> {
    this.shutdownPromise ??= this.runShutdown(reason);
    return this.shutdownPromise;
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.shutdownPromise && this.options.forceOnSecondSignal !== false) {
      this.log.warn({ event: 'exit', signal }, `${signal} again during shutdown: exiting now`);
      const cut = this.tracker.destroyAll();
      this.finish({ code: 1, ms: 0, cut, hooks: [] });
      return;
    }
    void this.shutdown(`${signal} received`);
  }

  private async runShutdown(reason: string): Promise<number> {
    const started = Date.now();
    const deadline = this.deadline;
    const hookBudget = Math.min(
      this.hooks.reduce((sum, hook) => sum + hook.timeoutMs, 0),
      deadline.ms / 2,
    );
    const drainDeadline = started + deadline.ms - hookBudget;
    let cut = 0;

    this.currentPhase = 'delaying';
    this.emit('shutdown', { reason, deadline });
    this.log.info(
      { event: 'shutdown', reason, deadlineMs: deadline.ms },
      `${reason}; readiness now fails; deadline ${deadline.ms} ms (${deadline.explanation})`,
    );
    const delay = Math.min(this.options.drainDelayMs ?? 0, Math.max(drainDeadline - Date.now(), 0));
    if (delay > 0) await sleep(delay);

    this.currentPhase = 'draining';
    for (const server of this.servers) closeListener(server);
    this.tracker.startDrain(this.options.onUpgradedSocket);
    const idle = await this.tracker.settleIdle();
    // With nothing else to wait for, exit at once and let the kernel close idle sockets in bulk
    // (the same FIN a destroy() sends); otherwise close them now, while in-flight work finishes.
    const exitNow = this.tracker.isEmpty() && this.hooks.length === 0;
    if (!exitNow) for (const socket of idle) socket.destroy();
    const counts = this.tracker.counts();
    this.log.info(
      { event: 'drain', ...counts },
      `draining: listeners closed, ${counts.inFlight} request(s) in flight on ${counts.connections} connection(s)`,
    );
    const drained = await this.waitForDrain(drainDeadline);
    if (drained) {
      this.emit('drained', { ms: Date.now() - started });
    } else {
      cut = this.tracker.destroyAll();
      this.emit('timeout', { ms: Date.now() - started, cut, stage: 'drain' });
      this.log.error({ event: 'timeout', cut }, `drain deadline reached: cut ${cut} connection(s)`);
    }

    this.currentPhase = 'cleanup';
    // Hooks that outlast the deadline are abandoned: the process exits before SIGKILL regardless.
    const hardStop = setTimeout(
      () => {
        this.emit('timeout', { ms: Date.now() - started, cut: 0, stage: 'cleanup' });
        this.log.error({ event: 'timeout' }, 'deadline reached during cleanup: exiting');
        this.finish({ code: 1, ms: Date.now() - started, cut, hooks: [] });
      },
      Math.max(started + deadline.ms - Date.now(), 0),
    );
    const hooks = await runHooks(this.hooks, (outcome) => this.reportHook(outcome));
    clearTimeout(hardStop);
    if (this.exited) return 1;
    const failed = hooks.some((h) => h.status !== 'ok');
    const code = this.finish({ code: cut > 0 || failed ? 1 : 0, ms: Date.now() - started, cut, hooks });
    // Only reached when exit() did not end the process (an embedding or a test).
    if (exitNow) for (const socket of idle) socket.destroy();
    return code;
  }

  private waitForDrain(until: number): Promise<boolean> {
    if (this.tracker.isEmpty()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.wakeDrain = undefined;
          resolve(false);
        },
        Math.max(until - Date.now(), 0),
      );
      this.wakeDrain = () => {
        clearTimeout(timer);
        this.wakeDrain = undefined;
        resolve(true);
      };
    });
  }

  private onConnectionsChanged(): void {
    if (this.wakeDrain && this.tracker.isEmpty()) this.wakeDrain();
  }

  private reportHook(outcome: HookOutcome): void {
    if (outcome.status === 'ok')
      this.log.info({ event: 'hook', ...outcome }, `cleanup ${outcome.name}: done in ${outcome.ms} ms`);
    else if (outcome.status === 'timeout')
      this.log.error(
        { event: 'hook', ...outcome },
        `cleanup ${outcome.name}: timed out after ${outcome.ms} ms`,
      );
    else
      this.log.error(
        { event: 'hook', name: outcome.name, err: outcome.error },
        `cleanup ${outcome.name} failed`,
      );
  }

  private finish(event: ExitEvent): number {
    if (this.exited) return event.code;
    this.exited = true;
    this.currentPhase = 'exiting';
    this.healthServer?.close();
    this.emit('exit', event);
    this.log.info(
      { event: 'exit', code: event.code, cut: event.cut },
      `exit ${event.code} after ${event.ms} ms${event.cut ? `, ${event.cut} connection(s) cut` : ''}`,
    );
    this.exitProcess(event.code);
    return event.code;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `lameduck({ servers: [server] })`: attach, handle signals, drain, exit. */
export function lameduck(options: LameduckOptions = {}): Lameduck {
  return new Lameduck(options);
}
