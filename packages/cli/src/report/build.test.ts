import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStyle } from '../output/style.js';
import type { LifecycleEvent, Recording, RequestRecord } from '../recording/records.js';
import { buildReport, largestFailureWindow, type RunSetup } from './build.js';
import { causeOf, diagnose } from './diagnose.js';
import { replicaLifecycles } from './lifecycle.js';
import { renderReportText } from './text.js';
import { parseThresholds } from './thresholds.js';
import { timelineBuckets } from './timeline.js';

let id = 0;
const request = (intendedAt: number, fields: Partial<RequestRecord> = {}): RequestRecord => ({
  id: ++id,
  intendedAt,
  startedAt: intendedAt,
  endedAt: intendedAt + 2,
  status: 200,
  errorClass: undefined,
  plane: 'kube-proxy',
  node: 'node-1',
  connection: id,
  reused: false,
  localPort: 40000 + id,
  replica: 'web-1',
  ...fields,
});
const failed = (intendedAt: number, fields: Partial<RequestRecord> = {}) =>
  request(intendedAt, { status: undefined, errorClass: 'refused', ...fields });

/** web-1: terminating at 1000, no preStop, SIGTERM at 1000, exit at 1005; node-1 stops routing at 3000. */
const events: LifecycleEvent[] = [
  { at: 0, type: 'pod-created', pod: 'web-1' },
  { at: 500, type: 'ready', pod: 'web-1' },
  { at: 1000, type: 'terminating', pod: 'web-1' },
  { at: 1000, type: 'sigterm', pod: 'web-1' },
  { at: 1005, type: 'exit', pod: 'web-1', exitCode: 0 },
  { at: 3000, type: 'endpoint-removed', pod: 'web-1', node: 'node-1' },
  { at: 3400, type: 'endpoint-removed', pod: 'web-1', node: 'ingress' },
];

const setup: RunSetup = {
  source: 'lab',
  workload: 'web',
  scenario: 'rollout',
  replicas: 3,
  graceSeconds: 30,
  preStop: 'none',
  preStopSeconds: 0,
  planes: ['kube-proxy'],
  load: '100 req/s',
  keepAlive: false,
};

describe('report', () => {
  it('prints the Replicas table in aligned columns, exit time apart from exit code, running replicas included', () => {
    const thresholds = parseThresholds('errors>0');
    assert.ok(Array.isArray(thresholds));
    const withRunning: LifecycleEvent[] = [
      ...events,
      { at: 900, type: 'pod-created', pod: 'web-2' },
      { at: 1100, type: 'ready', pod: 'web-2' },
    ];
    const report = buildReport(
      {
        startedAt: '2026-01-01T00:00:00Z',
        durationMs: 4000,
        events: withRunning,
        dropped: 0,
        requests: [request(100)],
      },
      setup,
      thresholds,
    );
    const table = renderReportText(report, createStyle(false))
      .split('\n')
      .filter((line) => /^ {2}(name|web-)/.test(line));
    assert.deepEqual(table, [
      '  name                ready  terminating  preStop end   SIGTERM      exit  code  ended by',
      '  web-1               0.50s        1.00s            -     1.00s     1.00s     0  its own exit',
      '  web-2               1.10s            -            -         -         -     -  still running',
    ]);
    // A replica that crashed during the load is named for what happened, not "lab shutdown".
    const crashed = buildReport(
      {
        startedAt: '2026-01-01T00:00:00Z',
        durationMs: 4000,
        events: [
          ...withRunning,
          { at: 2000, type: 'exit', pod: 'web-2', exitCode: 1 },
          { at: 3500, type: 'load-end' },
        ],
        dropped: 0,
        requests: [request(100)],
      },
      setup,
      thresholds,
    );
    assert.match(renderReportText(crashed, createStyle(false)), /\n {2}web-2 .* 1 {2}crashed \(exit 1\)\n/);
  });

  it('explains "sent late", and warns when more than 5 % of requests left late, naming the cause', () => {
    const thresholds = parseThresholds('errors>0');
    assert.ok(Array.isArray(thresholds));
    const run = (lateCount: number) =>
      buildReport(
        {
          startedAt: '2026-01-01T00:00:00Z',
          durationMs: 2000,
          events,
          dropped: 0,
          requests: Array.from({ length: 100 }, (_, i) =>
            request(i * 10, i < lateCount ? { startedAt: i * 10 + 25, endedAt: i * 10 + 27 } : {}),
          ),
        },
        setup,
        thresholds,
      );
    assert.deepEqual(run(5).warnings, [], '5 % is within what the report accepts');
    const behind = run(12);
    assert.equal(behind.requests.late, 12);
    assert.equal(behind.warnings.length, 1);
    assert.match(
      behind.warnings[0] as string,
      /^12 of 100 requests \(12\.0 %, over the 5 % this report accepts\) left more than 10 ms after their scheduled time: this machine did not sustain the requested rate/,
    );
    const text = renderReportText(behind, createStyle(false));
    assert.match(
      text,
      /12 sent late\n\s+sent late: more than 10 ms after the time the lab scheduled them; latency counts from the schedule/,
    );
    assert.match(text, /\nWarning: 12 of 100 requests/);
  });

  it("reads each replica's termination back from the events", () => {
    const [web] = replicaLifecycles(events);
    assert.deepEqual(web, {
      name: 'web-1',
      createdAt: 0,
      readyAt: 500,
      terminatingAt: 1000,
      preStopStartAt: undefined,
      preStopEndAt: undefined,
      failedPreStopHook: undefined,
      sigtermAt: 1000,
      sigtermIgnored: undefined,
      killedAt: undefined,
      exitAt: 1005,
      exitCode: 0,
      signal: undefined,
      restarts: 0,
      endpointRemovedAt: { 'node-1': 3000, ingress: 3400 },
    });
  });

  it('attributes failures by when they were sent against the replica and its node', () => {
    const replicas = new Map(replicaLifecycles(events).map((r) => [r.name, r]));
    assert.equal(causeOf(failed(1500), replicas), 'stale-endpoint');
    assert.equal(causeOf(failed(900, { endedAt: 1003, errorClass: 'reset' }), replicas), 'in-flight-cut');
    assert.equal(
      causeOf(failed(3500), replicas),
      'unexplained',
      'after removal the node no longer routes there',
    );
    assert.equal(
      causeOf(failed(500, { errorClass: 'eof-reused', reused: true }), replicas),
      'upstream-keepalive-outlives-app',
      'before termination, only the idle timeout closes a connection',
    );
    assert.equal(
      causeOf(failed(1000, { errorClass: 'eof-reused', reused: true }), replicas),
      'keepalive-race',
    );
    assert.equal(
      causeOf(failed(500, { errorClass: 'proxy-502', error: 'eof-reused', reused: false }), replicas),
      'upstream-keepalive-outlives-app',
      "the ingress's 502 for a POST it could not retry",
    );
    assert.equal(causeOf(failed(1500, { errorClass: 'timeout' }), replicas), 'timeout');
    assert.equal(
      causeOf(failed(1500, { errorClass: 'proxy-503', error: 'no-endpoints' }), replicas),
      'no-endpoints',
    );
  });

  it('asks for a preStop beside the keep-alive race when the preStop is shorter than propagation', () => {
    const replicas = replicaLifecycles(events);
    const raced = [failed(1000, { errorClass: 'eof-reused', reused: true })];
    const advice = (preStopSeconds: number, measured?: { seconds: number; basis: string }) =>
      diagnose({
        requests: raced,
        replicas,
        preStopSeconds,
        ...(measured && { measuredPreStop: measured }),
      })[0]?.advice ?? '';
    // The ingress let go 2.4 s after termination: 3 s plus 2 s.
    assert.match(
      advice(0),
      /Connection: close.*; and add or lengthen the preStop sleep to at least 5 s: the slowest data plane here took 2\.4 s/,
    );
    assert.doesNotMatch(advice(5), /preStop sleep/, 'a preStop that covers propagation is not the cause');
    assert.match(
      advice(0, { seconds: 3, basis: 'measured' }),
      /; and add or lengthen the preStop sleep to at least 3 s: measured$/,
    );
  });

  it('finds the longest run of consecutive failures', () => {
    const records = [
      request(0),
      failed(10),
      failed(20),
      request(30),
      failed(40),
      failed(50),
      failed(60),
      request(70),
    ];
    assert.deepEqual(largestFailureWindow(records), { startMs: 40, endMs: 62, count: 3 });
    assert.equal(largestFailureWindow([request(0)]), undefined);
  });

  it('builds totals, classes, the diagnosis with a preStop value from the measured propagation, and the verdict', () => {
    const recording: Recording = {
      startedAt: '2026-11-24T00:00:00.000Z',
      durationMs: 5000,
      requests: [
        request(100),
        failed(1200),
        failed(1300),
        request(1400),
        failed(2000, { errorClass: 'reset' }),
      ],
      events,
      dropped: 0,
    };
    const thresholds = parseThresholds('errors>0');
    assert.ok(Array.isArray(thresholds));
    const report = buildReport(recording, setup, thresholds);
    assert.equal(report.verdict, 'fail');
    assert.deepEqual(report.requests, {
      total: 5,
      ok: 2,
      failed: 3,
      dropped: 0,
      late: 0,
      byClass: { refused: 2, reset: 1 },
    });
    assert.equal(report.propagationSeconds, 2.4);
    assert.equal(report.diagnosis.length, 1);
    assert.equal(report.diagnosis[0]?.cause, 'stale-endpoint');
    assert.equal(report.diagnosis[0]?.count, 3);
    assert.match(report.diagnosis[0]?.advice ?? '', /at least 5 s: the slowest data plane here took 2\.4 s/);
    const passing = buildReport({ ...recording, requests: [request(100)] }, setup, thresholds);
    assert.equal(passing.verdict, 'pass');
  });

  it('buckets requests by 100 ms with outcome counts and latency', () => {
    const buckets = timelineBuckets([request(10), request(50, { endedAt: 60 }), failed(150)], 100);
    assert.deepEqual(buckets, [
      { t: 0, ok: 2, failed: {}, p50: 10, p99: 10 },
      { t: 100, ok: 0, failed: { refused: 1 }, p50: 2, p99: 2 },
    ]);
  });

  it('reports a ten-minute verify run at 1,000 req/s (600,000 requests) without a stack overflow', () => {
    const requests = Array.from({ length: 600_000 }, (_, i) => request(i));
    const recording: Recording = {
      startedAt: '2026-11-24T00:00:00.000Z',
      durationMs: 600_000,
      requests,
      events,
      dropped: 0,
    };
    const report = buildReport(recording, setup, []);
    assert.equal(report.requests.total, 600_000);
    assert.equal(timelineBuckets(report.records, 100).length, 6000);
  });
});
