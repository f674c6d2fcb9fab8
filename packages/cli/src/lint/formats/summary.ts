import type { Finding } from '../engine.js';

export interface LintSummary {
  readonly files: number;
  readonly objects: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** Inputs that could not be read (missing, unparsable): nothing in them was checked. */
  readonly unreadable: number;
}

export function summarize(
  findings: readonly Finding[],
  files: number,
  objects: number,
  unreadable: number,
): LintSummary {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  return {
    files,
    objects,
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
    unreadable,
  };
}
