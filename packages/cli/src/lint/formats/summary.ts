import type { Finding } from '../engine.js';

export interface LintSummary {
  readonly files: number;
  readonly objects: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

export function summarize(findings: readonly Finding[], files: number, objects: number): LintSummary {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  return { files, objects, errors: count('error'), warnings: count('warning'), infos: count('info') };
}
