import { Option } from 'commander';
import { replaceFile } from '../output/files.js';
import type { Io } from '../output/io.js';
import { colorEnabled, createStyle } from '../output/style.js';
import type { Report } from '../report/build.js';
import { renderReportHtml } from '../report/html.js';
import { reportJson } from '../report/json.js';
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
