/**
 * The report of a rehearsal, from its recording alone: totals, classes, latency, the worst failure
 * window, each replica's termination, the diagnosis and the verdict. Pure; `lab` and `verify` share it.
 */
import {
  ERROR_CLASSES,
  type ErrorClass,
  type LifecycleEvent,
  type Recording,
  type RequestRecord,
} from '../recording/records.js';
import { type Diagnosis, diagnose, slowestPropagationSeconds } from './diagnose.js';
import { type LatencySummary, latencySummary } from './latency.js';
import { type ReplicaLifecycle, replicaLifecycles } from './lifecycle.js';
import type { Measurement } from './measure.js';
import { crossedThresholds, type Threshold } from './thresholds.js';

/** What was rehearsed, shown at the top of every format. */
export interface RunSetup {
  readonly source: 'lab' | 'verify';
  readonly workload: string;
  readonly scenario: string;
  readonly replicas: number;
  readonly graceSeconds: number | undefined;
  readonly preStop: string;
  readonly preStopSeconds: number | undefined;
  readonly planes: readonly string[];
  readonly propagation?: string;
  readonly load: string;
  readonly keepAlive: boolean;
  /** How the replicas got PID 1 semantics (lab only). */
  readonly pid1?: string;
  /** What each replica runs, and what it runs instead of (lab only). */
  readonly command?: string;
}

export interface FailureWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
}

export interface PlaneSummary {
  readonly plane: string;
  readonly total: number;
  readonly failed: number;
  readonly byClass: Partial<Record<ErrorClass, number>>;
}

export interface Report {
  readonly verdict: 'pass' | 'fail';
  readonly setup: RunSetup;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requests: {
    readonly total: number;
    readonly ok: number;
    readonly failed: number;
    readonly dropped: number;
    /** Sent more than 10 ms after their intended time: the generator or the pool fell behind. */
    readonly late: number;
    readonly byClass: Partial<Record<ErrorClass, number>>;
  };
  readonly planes: readonly PlaneSummary[];
  readonly latencyMs: LatencySummary;
  readonly failureWindow: FailureWindow | undefined;
  readonly replicas: readonly ReplicaLifecycle[];
  /** Slowest time from termination to removal from a data plane, as measured. */
  readonly propagationSeconds: number | undefined;
  readonly diagnosis: readonly Diagnosis[];
  /** What makes the figures less trustworthy than they look, such as a generator that fell behind. */
  readonly warnings: readonly string[];
  readonly thresholds: readonly { readonly threshold: string; readonly crossed: boolean }[];
  readonly events: readonly LifecycleEvent[];
  readonly records: readonly RequestRecord[];
  /** verify only: endpoint removal as the API showed it, and the preStop it calls for. */
  readonly measured?: Measurement;
}

/** A request sent this long after its scheduled time is "late". */
export const LATE_MS = 10;
/** Above this share of late requests, the report warns that the machine did not sustain the rate. */
export const LATE_WARNING_SHARE = 0.05;

function loadWarnings(total: number, late: number): string[] {
  if (total === 0 || late / total <= LATE_WARNING_SHARE) return [];
  const share = ((late / total) * 100).toFixed(1);
  return [
    `${late} of ${total} requests (${share} %, over the ${LATE_WARNING_SHARE * 100} % this report accepts) left more than ${LATE_MS} ms after their scheduled time: this machine did not sustain the requested rate (the load generator, the proxies and the replicas share its CPUs), or every connection was busy. Latency counts from the scheduled time, so it includes that wait; lower --rate for figures about the app alone.`,
  ];
}

export function buildReport(
  recording: Recording,
  setup: RunSetup,
  failOn: readonly Threshold[],
  measured?: Measurement,
): Report {
  const requests = [...recording.requests].sort((a, b) => a.intendedAt - b.intendedAt);
  const failed = requests.filter((r) => r.errorClass !== undefined);
  const latency = latencySummary(requests.map((r) => r.endedAt - r.intendedAt));
  const window = largestFailureWindow(requests);
  const replicas = replicaLifecycles(recording.events);
  const values = {
    errors: failed.length,
    'error-rate': requests.length === 0 ? 0 : failed.length / requests.length,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
    window: window ? window.endMs - window.startMs : 0,
    sigkill: replicas.filter((r) => r.killedAt !== undefined).length,
  };
  const crossed = crossedThresholds(failOn, values);
  const late = requests.filter((r) => r.startedAt - r.intendedAt > LATE_MS).length;
  return {
    verdict: crossed.length > 0 ? 'fail' : 'pass',
    setup,
    startedAt: recording.startedAt,
    durationMs: recording.durationMs,
    requests: {
      total: requests.length,
      ok: requests.length - failed.length,
      failed: failed.length,
      dropped: recording.dropped,
      late,
      byClass: countByClass(failed),
    },
    planes: [...new Set(requests.map((r) => r.plane))].map((plane) => {
      const mine = requests.filter((r) => r.plane === plane);
      const bad = mine.filter((r) => r.errorClass !== undefined);
      return { plane, total: mine.length, failed: bad.length, byClass: countByClass(bad) };
    }),
    latencyMs: latency,
    failureWindow: window,
    replicas,
    propagationSeconds: slowestPropagationSeconds(replicas),
    diagnosis: diagnose({
      requests,
      replicas,
      preStopSeconds: setup.preStopSeconds,
      ...(measured?.recommendedPreStopSeconds === undefined
        ? {}
        : { measuredPreStop: { seconds: measured.recommendedPreStopSeconds, basis: measured.basis } }),
    }),
    warnings: loadWarnings(requests.length, late),
    thresholds: failOn.map((t) => ({ threshold: t.text, crossed: crossed.includes(t) })),
    events: recording.events,
    records: requests,
    ...(measured ? { measured } : {}),
  };
}

function countByClass(failed: readonly RequestRecord[]): Partial<Record<ErrorClass, number>> {
  const counts: Partial<Record<ErrorClass, number>> = {};
  for (const errorClass of ERROR_CLASSES) {
    const count = failed.filter((r) => r.errorClass === errorClass).length;
    if (count > 0) counts[errorClass] = count;
  }
  return counts;
}

/**
 * The longest run of consecutive failures in send order: the downtime a user saw (as
 * shrutirao1210/Zero-Downtime-k8s-Comparison defines it), from the first failed send to the last
 * failed answer.
 */
export function largestFailureWindow(sorted: readonly RequestRecord[]): FailureWindow | undefined {
  let best: FailureWindow | undefined;
  let start: RequestRecord | undefined;
  let count = 0;
  let end = 0;
  const close = () => {
    if (start && (!best || end - start.intendedAt > best.endMs - best.startMs)) {
      best = { startMs: start.intendedAt, endMs: end, count };
    }
    start = undefined;
    count = 0;
    end = 0;
  };
  for (const request of sorted) {
    if (request.errorClass === undefined) {
      close();
      continue;
    }
    start ??= request;
    count++;
    end = Math.max(end, request.endedAt);
  }
  close();
  return best;
}
