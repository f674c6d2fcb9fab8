/**
 * The load and verdict flags `lab` and `verify` share (--rate or --concurrency, --keepalive,
 * --method, --data, --timeout, --fail-on), and the flag parsers both use. Each error names the flag.
 */
import { parseDurationSeconds } from '../model/duration.js';
import { UsageError } from '../output/errors.js';
import { parseThresholds, type Threshold } from '../report/thresholds.js';
import type { LoadModel } from './generator.js';

export interface LoadFlags {
  readonly rate?: string;
  readonly concurrency?: string;
  readonly keepalive: string;
  readonly method: string;
  readonly data?: string;
  readonly timeout: string;
  readonly failOn: string;
}

export interface ResolvedLoadFlags {
  readonly model: LoadModel;
  readonly keepAlive: boolean;
  readonly method: string;
  readonly body: string | undefined;
  readonly timeoutMs: number;
  readonly failOn: Threshold[];
}

export function resolveLoadFlags(flags: LoadFlags): ResolvedLoadFlags {
  if (flags.rate !== undefined && flags.concurrency !== undefined) {
    throw new UsageError('--rate and --concurrency choose the open or the closed load model; give one');
  }
  let model: LoadModel;
  if (flags.concurrency !== undefined) {
    model = { kind: 'closed', concurrency: integerFlag('concurrency', flags.concurrency, 1) as number };
  } else {
    const text = flags.rate ?? '200/s';
    const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text);
    if (!match || Number(match[1]) <= 0)
      throw new UsageError(`--rate must be requests per second such as 200/s, not "${text}"`);
    model = { kind: 'open', rate: Number(match[1]) };
  }
  const failOn = parseThresholds(flags.failOn);
  if (typeof failOn === 'string') throw new UsageError(failOn);
  const method = flags.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method))
    throw new UsageError(`--method must be an HTTP method such as GET or POST, not "${flags.method}"`);
  return {
    model,
    keepAlive: oneOf('keepalive', flags.keepalive, ['on', 'off'] as const) === 'on',
    method,
    body:
      flags.data ??
      (method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{"lameduck":"load"}' : undefined),
    timeoutMs: durationFlag('timeout', flags.timeout),
    failOn,
  };
}

/** "open: 200 req/s GET /" or "closed: 10 concurrent GET /", for the report's setup line. */
export function describeLoad(model: LoadModel, method: string, target: string): string {
  return model.kind === 'open'
    ? `${model.rate} req/s ${method} ${target}`
    : `${model.concurrency} concurrent ${method} ${target}`;
}

export function integerFlag(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  return value;
}

/** Milliseconds. */
export function durationFlag(name: string, text: string): number {
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined || seconds <= 0)
    throw new UsageError(`--${name} must be a duration such as 30s or 1m, not "${text}"`);
  return seconds * 1000;
}

export function oneOf<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not "${value}"`);
}
