/**
 * What a rehearsal records, on one clock (milliseconds since the run started): every request and
 * every lifecycle event. The lab and `verify` fill the same shapes; the report reads only these.
 */

/** Why a request failed. Transport classes follow k6's error codes; proxy classes are the proxy's answer. */
export type ErrorClass =
  | 'refused'
  | 'reset'
  | 'eof-reused'
  | 'timeout'
  | 'truncated'
  | 'proxy-502'
  | 'proxy-503'
  | 'proxy-504'
  | 'http-5xx'
  | 'http-4xx'
  | 'other';

export const ERROR_CLASSES: readonly ErrorClass[] = [
  'refused',
  'reset',
  'eof-reused',
  'timeout',
  'truncated',
  'proxy-502',
  'proxy-503',
  'proxy-504',
  'http-5xx',
  'http-4xx',
  'other',
];

export const ERROR_CLASS_LABELS: Record<ErrorClass, string> = {
  refused: 'connection refused',
  reset: 'connection reset',
  'eof-reused': 'closed under a reused keep-alive connection',
  timeout: 'timeout',
  truncated: 'response cut off',
  'proxy-502': '502 from the proxy',
  'proxy-503': '503 from the proxy',
  'proxy-504': '504 from the proxy',
  'http-5xx': '5xx from the app',
  'http-4xx': '4xx from the app',
  other: 'other error',
};

export interface RequestRecord {
  readonly id: number;
  /** When the open model meant to send it; latency counts from here (no coordinated omission). */
  readonly intendedAt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number | undefined;
  /** Undefined for a success (a 2xx or 3xx answer read to the end). */
  readonly errorClass: ErrorClass | undefined;
  readonly error?: string;
  /** Which data plane or target it went through. */
  readonly plane: string;
  readonly connection: number;
  readonly reused: boolean;
  readonly localPort: number | undefined;
  /** The replica that answered or failed it, when the data plane tells. */
  readonly replica?: string;
  /** The node whose kube-proxy routed its connection (kube-proxy plane only). */
  readonly node?: string;
  readonly tries?: number;
}

export type LifecycleType =
  | 'load-start'
  | 'load-end'
  | 'rollout-start'
  | 'rollout-complete'
  | 'pod-created'
  | 'container-started'
  | 'ready'
  | 'not-ready'
  | 'terminating'
  | 'endpoint-removed'
  | 'endpoint-added'
  | 'prestop-start'
  | 'prestop-end'
  | 'failed-prestop-hook'
  | 'sigterm'
  | 'sigterm-ignored'
  | 'sigkill'
  | 'exit'
  | 'liveness-failed'
  | 'container-restart'
  | 'pod-deleted';

export interface LifecycleEvent {
  readonly at: number;
  readonly type: LifecycleType;
  readonly pod?: string;
  /** For endpoint events: the node (kube-proxy) or ingress whose view changed. */
  readonly node?: string;
  readonly detail?: string;
  readonly exitCode?: number;
  readonly signal?: string;
}

/**
 * How far apart two watches may deliver changes that happened together: each resource is its own
 * stream with no order between them, the lab's API server delivers in milliseconds, a loaded machine
 * in hundreds. Times read across streams (a deletion on the pods watch, the endpoint removal it caused
 * on the EndpointSlice watch, the SIGTERM estimated from the deletion) are uncertain by this much.
 */
export const WATCH_LAG_ALLOWANCE_MS = 1000;

/** The load so far, as progress shows it while a rehearsal runs. */
export interface LoadStats {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly dropped: number;
  readonly byClass: Readonly<Partial<Record<ErrorClass, number>>>;
}

/** One moment of a running rehearsal, lab or verify alike: what the progress line prints. */
export interface ProgressSnapshot {
  readonly at: number;
  readonly load: LoadStats;
  readonly phase: string;
  readonly pods: readonly { readonly name: string; readonly ready: boolean; readonly terminating: boolean }[];
}

/** The data plane's record of one connection: which pod a client's local port was routed to. */
export interface RouteEntry {
  readonly at: number;
  /** The client's local port: joins a request to the connection it used. */
  readonly clientPort: number;
  readonly node: string;
  readonly pod: string | undefined;
  readonly outcome: 'connected' | 'refused' | 'no-endpoints';
}

export interface Recording {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requests: readonly RequestRecord[];
  readonly events: readonly LifecycleEvent[];
  /** Requests the open model could not start because too many were in flight. */
  readonly dropped: number;
}

/** Milliseconds since the run started, monotonic. */
export interface Clock {
  now(): number;
}

export function monotonicClock(): Clock {
  const start = performance.now();
  return { now: () => performance.now() - start };
}

/** Collects lifecycle events; the load generator keeps its own requests. */
export class EventLog {
  readonly events: LifecycleEvent[] = [];
  private readonly listeners: ((event: LifecycleEvent) => void)[] = [];

  constructor(readonly clock: Clock) {}

  record(event: Omit<LifecycleEvent, 'at'>): LifecycleEvent {
    const stamped = { at: this.clock.now(), ...event };
    this.events.push(stamped);
    for (const listener of this.listeners) listener(stamped);
    return stamped;
  }

  onEvent(listener: (event: LifecycleEvent) => void): void {
    this.listeners.push(listener);
  }
}
