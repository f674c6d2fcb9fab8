/** GitHub Actions workflow commands: one annotation per finding on the exact line. */
import { type Finding, shownMessage } from '../engine.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** Workflow-command escaping (actions/toolkit): data escapes %, CR, LF; properties also : and ,. */
const escapeData = (text: string) =>
  text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string) => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

export function formatGithub(findings: readonly Finding[]): string {
  return findings
    .map(
      (f) =>
        `::${LEVEL[f.severity]} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`lameduck ${f.rule}`)}::${escapeData(`${shownMessage(f)}\nfix: ${f.fix}`)}\n`,
    )
    .join('');
}
