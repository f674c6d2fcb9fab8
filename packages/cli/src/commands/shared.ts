import type { OutputFormat } from '../flags/declare.js';
import { replaceFile } from '../output/files.js';
import type { Io } from '../output/io.js';
import { colorEnabled, createStyle } from '../output/style.js';
import type { ProgressSnapshot } from '../recording/records.js';
import type { Report } from '../report/build.js';
import { renderReportHtml } from '../report/html.js';
import { reportJson } from '../report/json.js';
import { renderReportText } from '../report/text.js';
import { ProgressPrinter } from './progress.js';

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
