/**
 * Logging: a concise line on stderr by default, any pino-compatible logger (`info/warn/error` taking
 * `(fields, message)`), or nothing.
 */

export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export type LoggerOption = Logger | 'silent' | undefined;

const stderrLogger: Logger = {
  info: (_fields, message) => process.stderr.write(`lameduck: ${message}\n`),
  warn: (_fields, message) => process.stderr.write(`lameduck: warning: ${message}\n`),
  error: (fields, message) => {
    const error = (fields as { err?: unknown }).err;
    const detail = error instanceof Error ? `: ${error.message}` : '';
    process.stderr.write(`lameduck: error: ${message}${detail}\n`);
  },
};

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function resolveLogger(option: LoggerOption): Logger {
  if (option === 'silent') return silentLogger;
  return option ?? stderrLogger;
}
