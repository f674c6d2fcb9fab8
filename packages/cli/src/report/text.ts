/** The report for a person at a terminal or in a CI log. */

import type { Style } from '../output/style.js';
import { ERROR_CLASS_LABELS, type ErrorClass } from '../recording/records.js';
import { LATE_MS, type Report } from './build.js';
import type { ReplicaLifecycle } from './lifecycle.js';
import type { Measurement } from './measure.js';

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)}s`);

export function renderReportText(report: Report, style: Style): string {
  const { setup, requests } = report;
  const lines: string[] = [];
  const verdict = report.verdict === 'pass' ? style.green('PASS') : style.red('FAIL');
  lines.push(`${style.bold(`lameduck ${setup.source}`)}: ${setup.workload}, ${setup.scenario}  ${verdict}`);
  lines.push(
    style.dim(
      `${setup.replicas} replicas, grace ${setup.graceSeconds ?? '?'} s, preStop ${setup.preStop}; ${setup.planes.join(' + ')}${setup.propagation ? `, propagation ${setup.propagation}` : ''}; ${setup.load}, keep-alive ${setup.keepAlive ? 'on' : 'off'}${setup.pid1 ? `; ${setup.pid1}` : ''}`,
    ),
  );
  if (setup.command) lines.push(style.dim(setup.command));
  lines.push('');
  const rate = requests.total === 0 ? 0 : (requests.failed / requests.total) * 100;
  lines.push(
    `${style.bold('Requests')}  ${requests.total} sent, ${requests.ok} ok, ${requests.failed > 0 ? style.red(`${requests.failed} failed`) : '0 failed'} (${rate.toFixed(2)} %)` +
      (requests.dropped > 0 ? `, ${requests.dropped} not sent (too many in flight)` : '') +
      (requests.late > 0 ? `, ${requests.late} sent late` : ''),
  );
  if (requests.late > 0) {
    lines.push(
      style.dim(
        `          sent late: more than ${LATE_MS} ms after the time the ${setup.source === 'lab' ? 'lab' : 'load'} scheduled them; latency counts from the schedule`,
      ),
    );
  }
  for (const [errorClass, count] of Object.entries(requests.byClass)) {
    lines.push(
      `  ${String(count).padStart(6)}  ${errorClass.padEnd(10)} ${style.dim(ERROR_CLASS_LABELS[errorClass as ErrorClass])}`,
    );
  }
  if (report.planes.length > 1) {
    for (const plane of report.planes) {
      lines.push(`  ${plane.plane}: ${plane.total} sent, ${plane.failed} failed`);
    }
  }
  const { latencyMs: latency } = report;
  lines.push(
    `${style.bold('Latency')}   p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms ${style.dim('(from the intended send time)')}`,
  );
  if (report.failureWindow) {
    const w = report.failureWindow;
    lines.push(
      `${style.bold('Downtime')}  longest failure window ${((w.endMs - w.startMs) / 1000).toFixed(3)} s (${w.count} requests in a row, at ${seconds(w.startMs)})`,
    );
  }
  if (report.propagationSeconds !== undefined) {
    lines.push(
      `${style.bold('Routing')}   slowest removal from a data plane: ${report.propagationSeconds.toFixed(2)} s after termination began`,
    );
  }
  if (report.measured) lines.push(...measuredLines(report.measured, style));
  lines.push('');
  lines.push(style.bold('Replicas'));
  // Real pod names (web-5d8f7c9b6d-x2k4q) are longer than the lab's: the first column fits them.
  const columns = replicaColumns(Math.max(0, ...report.replicas.map((r) => r.name.length)));
  lines.push(style.dim(`  ${tableRow(columns, REPLICA_COLUMNS_TITLES)}`));
  const loadEndAt = report.events.find((e) => e.type === 'load-end')?.at;
  for (const replica of report.replicas)
    lines.push(`  ${replicaLine(replica, columns, setup.source, loadEndAt, style)}`);
  lines.push('');
  if (report.diagnosis.length === 0) {
    lines.push(style.green('Diagnosis: no request failed and every replica stopped on its own.'));
  } else {
    lines.push(style.bold('Diagnosis'));
    for (const d of report.diagnosis) {
      // Replica diagnoses name their replicas in the message; request diagnoses count and list them.
      const aboutRequests = !['sigterm-not-delivered', 'sigkill', 'failed-prestop-hook'].includes(d.cause);
      const count = aboutRequests ? `${d.count} requests: ` : '';
      lines.push(
        `  ${style.yellow('•')} ${count}${d.message}${d.replicas.length > 0 && aboutRequests ? ` (${d.replicas.join(', ')})` : ''}`,
      );
      lines.push(`    ${style.cyan('→')} ${d.advice}`);
    }
  }
  for (const warning of report.warnings) lines.push('', `${style.yellow('Warning:')} ${warning}`);
  const crossed = report.thresholds.filter((t) => t.crossed).map((t) => t.threshold);
  if (crossed.length > 0) lines.push('', `Failed threshold: ${crossed.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function measuredLines(measured: Measurement, style: Style): string[] {
  const lines = ['', style.bold('Measured on the cluster')];
  for (const pod of measured.pods) {
    const removal =
      pod.endpointRemovalSeconds === undefined
        ? "never seen leaving its Services' ready endpoints"
        : `left ready endpoints ${pod.endpointRemovalSeconds.toFixed(2)} s after deletion`;
    const failure =
      pod.firstFailureAfterSigtermSeconds === undefined
        ? ''
        : `; first failure ${pod.firstFailureAfterSigtermSeconds.toFixed(2)} s after SIGTERM`;
    lines.push(`  ${pod.pod}: ${removal}${failure}`);
  }
  if (measured.recommendedPreStopSeconds !== undefined) {
    lines.push(
      `  ${style.cyan('→')} preStop sleep: ${measured.recommendedPreStopSeconds} s ${style.dim(`(${measured.basis})`)}`,
    );
  } else {
    lines.push(`  ${style.dim(measured.basis)}`);
  }
  return lines;
}

interface Column {
  readonly width: number;
  readonly align: 'left' | 'right';
}

const REPLICA_COLUMNS_TITLES = [
  'name',
  'ready',
  'terminating',
  'preStop end',
  'SIGTERM',
  'exit',
  'code',
  'ended by',
];

/** Widths of the Replicas table's columns; the last one is left unpadded. */
function replicaColumns(longestName: number): readonly Column[] {
  return [
    { width: Math.max(16, longestName), align: 'left' },
    { width: 7, align: 'right' },
    { width: 11, align: 'right' },
    { width: 11, align: 'right' },
    { width: 8, align: 'right' },
    { width: 8, align: 'right' },
    { width: 4, align: 'right' },
    { width: 0, align: 'left' },
  ];
}

/** Cells padded to the columns' widths; styled cells are padded by their visible text. */
function tableRow(
  columns: readonly Column[],
  cells: readonly (string | { readonly text: string; readonly styled: string })[],
): string {
  return cells
    .map((cell, i) => {
      const { width, align } = columns[i] ?? { width: 0, align: 'left' };
      const text = typeof cell === 'string' ? cell : cell.text;
      const styled = typeof cell === 'string' ? cell : cell.styled;
      const pad = ' '.repeat(Math.max(0, width - text.length));
      return align === 'right' ? pad + styled : styled + pad;
    })
    .join('  ')
    .trimEnd();
}

function replicaLine(
  replica: ReplicaLifecycle,
  columns: readonly Column[],
  source: Report['setup']['source'],
  loadEndAt: number | undefined,
  style: Style,
): string {
  const code =
    replica.exitCode === undefined
      ? '-'
      : replica.exitCode === 137
        ? { text: '137', styled: style.red('137') }
        : replica.exitCode === 0
          ? '0'
          : { text: String(replica.exitCode), styled: style.yellow(String(replica.exitCode)) };
  const endedBy =
    replica.exitAt === undefined
      ? 'still running'
      : replica.killedAt !== undefined
        ? style.red('SIGKILL at grace end')
        : replica.sigtermIgnored
          ? 'SIGTERM ignored'
          : replica.terminatingAt !== undefined
            ? 'its own exit'
            : endedUnasked(replica, source, loadEndAt);
  return tableRow(columns, [
    replica.name,
    seconds(replica.readyAt),
    seconds(replica.terminatingAt),
    seconds(replica.preStopEndAt),
    replica.sigtermIgnored ? 'ignored' : seconds(replica.sigtermAt),
    seconds(replica.exitAt),
    code,
    endedBy,
  ]);
}

/** A replica that ended with no termination: the lab stopping it at the end, or what it did itself. */
function endedUnasked(
  replica: ReplicaLifecycle,
  source: Report['setup']['source'],
  loadEndAt: number | undefined,
): string {
  if (source === 'verify') return 'exit, deletion not seen';
  if (loadEndAt === undefined || (replica.exitAt ?? 0) >= loadEndAt) return 'lab shutdown';
  return replica.exitCode === 0
    ? 'exited on its own'
    : `crashed (exit ${replica.exitCode}${replica.signal ? `, ${replica.signal}` : ''})`;
}
