/**
 * `--fail-on` thresholds, k6-style: `errors>0`, `error-rate>0.1%`, `p99>500ms`, `window>1s`, `sigkill>0`, joined
 * with commas. The run fails (exit 1) when any one is crossed.
 */
export type Metric = 'errors' | 'error-rate' | 'p50' | 'p99' | 'max' | 'window' | 'sigkill';

export interface Threshold {
  readonly metric: Metric;
  readonly operator: '>' | '>=';
  readonly value: number;
  readonly text: string;
}

export interface ThresholdValues {
  readonly errors: number;
  /** Failed share of all requests, 0..1. */
  readonly 'error-rate': number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Longest contiguous failure window, ms. */
  readonly window: number;
  /** Replicas the grace period ended with SIGKILL. */
  readonly sigkill: number;
}

const METRICS: readonly Metric[] = ['errors', 'error-rate', 'p50', 'p99', 'max', 'window', 'sigkill'];

export function parseThresholds(text: string): Threshold[] | string {
  const thresholds: Threshold[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9-]+)\s*(>=|>)\s*(\d+(?:\.\d+)?)\s*(%|ms|s)?$/.exec(part);
    const metric = match?.[1] as Metric | undefined;
    if (!match || !metric || !METRICS.includes(metric)) {
      return `cannot read --fail-on "${part}"; use e.g. errors>0, sigkill>0, error-rate>0.1%, p99>500ms, window>1s`;
    }
    const number = Number(match[3]);
    const unit = match[4];
    const value = unit === '%' ? number / 100 : unit === 's' ? number * 1000 : number;
    thresholds.push({ metric, operator: match[2] as '>' | '>=', value, text: part });
  }
  return thresholds.length > 0 ? thresholds : 'an empty --fail-on; use e.g. errors>0';
}

export function crossedThresholds(thresholds: readonly Threshold[], values: ThresholdValues): Threshold[] {
  return thresholds.filter((t) =>
    t.operator === '>' ? values[t.metric] > t.value : values[t.metric] >= t.value,
  );
}
