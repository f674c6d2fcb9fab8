/** `{ findings: [...], summary: {...} }`, the shape documented in docs/lint.md. */
import type { Finding } from '../engine.js';
import type { LintSummary } from './summary.js';

export function formatJson(findings: readonly Finding[], summary: LintSummary): string {
  return `${JSON.stringify({ findings, summary }, null, 2)}\n`;
}
