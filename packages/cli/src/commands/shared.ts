import { type Command, Option } from 'commander';
import { replaceFile } from '../output/files.js';
import type { Io } from '../output/io.js';
import { colorEnabled, createStyle } from '../output/style.js';
import type { Report } from '../report/build.js';
import { renderReportHtml } from '../report/html.js';
import { reportJson } from '../report/json.js';
import { ProgressPrinter, type ProgressSnapshot } from '../report/progress.js';
import { renderReportText } from '../report/text.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

export function formatOption(formats: readonly OutputFormat[]): Option {
  return new Option('--format <format>', 'output format').choices(formats).default('text');
}

export interface ReportFlags {
  readonly report?: string;
  readonly format: OutputFormat;
  readonly records?: boolean;
}

/** The rehearsal report `lab` and `verify` both print: text or JSON on stdout, HTML to a file. */
export async function writeReport(
  report: Report,
  flags: ReportFlags,
  io: Io,
  command: string,
): Promise<void> {
  if (flags.report !== undefined) {
    await replaceFile(flags.report, renderReportHtml(report));
    io.stderr.write(`lameduck ${command}: report written to ${flags.report}\n`);
  }
  if (flags.format === 'json') {
    io.stdout.write(`${JSON.stringify(reportJson(report, { records: flags.records === true }), null, 2)}\n`);
  } else {
    io.stdout.write(renderReportText(report, createStyle(colorEnabled(io.stdout, io.env))));
  }
}

/** The load flags lab and verify share (see load/flags.ts). */
export function loadOptions(command: Command): Command {
  return command
    .option('--rate <r/s>', 'open model: requests per second (default: 200/s)')
    .option('--concurrency <n>', 'closed model: this many requests in flight, each sent when the last ends')
    .option('--keepalive <on|off>', 'reuse client connections', 'on')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--data <body>', 'request body (default for POST/PUT/PATCH: a small JSON document)')
    .option('--timeout <duration>', 'request timeout', '10s');
}

/** A lost request fails the run, and so does a replica the grace period ended with SIGKILL. */
export const DEFAULT_FAIL_ON = 'errors>0,sigkill>0';

/** The verdict and report flags lab and verify share. */
export function reportOptions(command: Command): Command {
  return command
    .option(
      '--fail-on <thresholds>',
      'exit 1 when any is crossed: errors>0, sigkill>0, error-rate>0.1%, p99>500ms, window>1s',
      DEFAULT_FAIL_ON,
    )
    .option('--report <file.html>', 'write the self-contained HTML timeline here')
    .option('--records', 'with --format json: include every request')
    .option('--no-progress', 'no live progress on stderr')
    .addOption(formatOption(['text', 'json']));
}

/** What lab and verify both are while they run: something to watch, and something to stop. */
export interface Rehearsing {
  progress(): ProgressSnapshot | undefined;
  abort(): void;
}

/**
 * Runs `work` with live progress (unless turned off) and Ctrl-C handling: SIGINT or SIGTERM aborts
 * with `interrupted` on stderr and exits 130; the abort also runs if the process exits any other way.
 */
export async function whileRehearsing<T>(
  rehearsal: Rehearsing,
  options: { readonly io: Io; readonly progress: boolean; readonly interrupted: string },
  work: () => Promise<T>,
): Promise<T> {
  const progress = options.progress
    ? new ProgressPrinter(options.io.stderr, () => rehearsal.progress())
    : undefined;
  const cleanup = () => rehearsal.abort();
  const interrupt = () => {
    options.io.stderr.write(`\n${options.interrupted}\n`);
    rehearsal.abort();
    process.exit(130);
  };
  process.once('exit', cleanup);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  progress?.start();
  try {
    return await work();
  } finally {
    progress?.stop();
    process.removeListener('exit', cleanup);
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}
