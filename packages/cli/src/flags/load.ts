/**
 * The load and verdict flags `lab` and `verify` share (--rate or --concurrency, --keepalive,
 * --method, --data, --timeout, --fail-on). Each error names the flag.
 */
import type { LoadModel } from '../load/generator.js';
import { UsageError } from '../output/errors.js';
import { parseThresholds, type Threshold } from '../report/thresholds.js';
import { durationFlag, integerFlag, oneOf } from './values.js';

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
