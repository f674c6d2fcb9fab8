/**
 * `--format json`: the shape ({ verdict, requests, latencyMs, replicas, events, diagnosis })
 * plus the setup, per-plane totals and, with `records`, every request. Times are ms since the start.
 */
import type { Report } from './build.js';

export const REPORT_SCHEMA_VERSION = 1;

export function reportJson(report: Report, options: { readonly records: boolean }): unknown {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    verdict: report.verdict,
    setup: report.setup,
    startedAt: report.startedAt,
    durationMs: round(report.durationMs),
    requests: report.requests,
    planes: report.planes,
    latencyMs: report.latencyMs,
    failureWindow: report.failureWindow && {
      startMs: round(report.failureWindow.startMs),
      endMs: round(report.failureWindow.endMs),
      count: report.failureWindow.count,
    },
    propagationSeconds: report.propagationSeconds,
    replicas: report.replicas.map((r) => ({
      name: r.name,
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      readyAt: round(r.readyAt),
      terminatingAt: round(r.terminatingAt),
      preStopStartAt: round(r.preStopStartAt),
      preStopEndAt: round(r.preStopEndAt),
      failedPreStopHook: r.failedPreStopHook ?? null,
      sigtermAt: round(r.sigtermAt),
      sigtermIgnored: r.sigtermIgnored ?? null,
      killedAt: round(r.killedAt),
      exitAt: round(r.exitAt),
      restarts: r.restarts,
      endpointRemovedAt: Object.fromEntries(
        Object.entries(r.endpointRemovedAt).map(([k, v]) => [k, round(v)]),
      ),
    })),
    events: report.events.map((e) => ({ ...e, at: round(e.at) })),
    diagnosis: report.diagnosis,
    warnings: report.warnings,
    thresholds: report.thresholds,
    ...(report.measured ? { measured: report.measured } : {}),
    ...(options.records
      ? {
          records: report.records.map((r) => ({
            ...r,
            intendedAt: round(r.intendedAt),
            startedAt: round(r.startedAt),
            endedAt: round(r.endedAt),
          })),
        }
      : {}),
  };
}

function round(ms: number): number;
function round(ms: number | undefined): number | null;
function round(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 10) / 10;
}
