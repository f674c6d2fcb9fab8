/**
 * Errors a person reads: what went wrong, where (file:line:column) and what to do, on one line.
 * Bad input is never a stack trace; a stack trace means a bug in lameduck and says so.
 */

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly file: string,
    readonly position?: SourcePosition,
    readonly hint?: string,
  ) {
    super(message);
  }

  format(): string {
    const where = this.position ? `${this.file}:${this.position.line}:${this.position.column}` : this.file;
    return `${where}: ${this.message}${this.hint ? `; ${this.hint}` : ''}`;
  }
}

/** A problem with how the command was called (flags, arguments), not with a file. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

export const BUG_REPORT_URL = 'https://github.com/lameduck-dev/lameduck/issues/new';
