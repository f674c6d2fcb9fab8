/**
 * Errors a person reads: what went wrong, where (file:line:column) and what to do, on one line.
 * Bad input is never a stack trace; a stack trace means a bug in lameduck and says so.
 */

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A file name as it may be printed: control characters escaped, so that a name holding a newline
 * cannot start a line of its own (a forged `::error` workflow command in a CI log, say).
 */
export function printable(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
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
    const file = printable(this.file);
    const where = this.position ? `${file}:${this.position.line}:${this.position.column}` : file;
    return `${where}: ${this.message}${this.hint ? `; ${this.hint}` : ''}`;
  }
}

/** A problem with how the command was called (flags, arguments), not with a file. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

export const BUG_REPORT_URL = 'https://github.com/lameduck-dev/lameduck/issues/new';
