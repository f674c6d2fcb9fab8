/** For people: grouped by file, each finding with its rule, the fix, and a code frame. */

import { printable } from '../../output/errors.js';
import type { Style } from '../../output/style.js';
import { type Finding, shownMessage } from '../engine.js';
import { SourceLines } from '../source-lines.js';
import type { LintSummary } from './summary.js';

function codeFrame(lines: readonly string[], line: number, column: number, style: Style): string[] {
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const frame: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? style.red('>') : ' ';
    frame.push(`    ${marker} ${style.dim(`${String(n).padStart(width)} |`)} ${lines[n - 1] ?? ''}`);
    if (n === line)
      frame.push(
        `      ${' '.repeat(width)} ${style.dim('|')} ${' '.repeat(Math.max(column - 1, 0))}${style.red('^')}`,
      );
  }
  return frame;
}

export function formatText(
  findings: readonly Finding[],
  summary: LintSummary,
  sources: ReadonlyMap<string, string>,
  style: Style,
): string {
  const out: string[] = [];
  const severity = {
    error: style.red('error  '),
    warning: style.yellow('warning'),
    info: style.cyan('info   '),
  };
  const lines = new SourceLines();
  let file: string | undefined;
  for (const f of findings) {
    if (f.file !== file) {
      file = f.file;
      out.push('', style.bold(printable(f.file)));
    }
    const where = `${f.object.kind} ${f.object.name}${f.object.container ? ` · ${f.object.container}` : ''}`;
    out.push(
      `  ${`${f.line}:${f.column}`.padEnd(7)} ${severity[f.severity]}  ${shownMessage(f)}  ${style.dim(`[${f.rule}]`)}`,
    );
    out.push(`          ${style.dim(`${where}; fix: ${f.fix}`)}`);
    const text = sources.get(f.file);
    if (text !== undefined) out.push(...codeFrame(lines.of(f.file, text), f.line, f.column, style));
  }
  const total = summary.errors + summary.warnings + summary.infos;
  const scope = `in ${summary.objects} object(s) from ${summary.files} file(s)`;
  const counts =
    total === 0
      ? `no termination problems ${scope}`
      : `${total} finding(s): ${summary.errors} error(s), ${summary.warnings} warning(s), ${summary.infos} info, ${scope}`;
  out.push(
    '',
    summary.unreadable > 0
      ? style.red(`${summary.unreadable} input(s) could not be read (see the errors above); ${counts}.`)
      : total === 0
        ? style.green(`No termination problems ${scope}.`)
        : `${counts}.`,
  );
  return `${out.join('\n').trimStart()}\n`;
}
