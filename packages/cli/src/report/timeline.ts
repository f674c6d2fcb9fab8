/** Requests per time bucket by outcome, with the latency band: what the HTML timeline draws. Pure. */
import type { ErrorClass, RequestRecord } from '../recording/records.js';

export interface Bucket {
  readonly t: number;
  readonly ok: number;
  readonly failed: Partial<Record<ErrorClass, number>>;
  readonly p50: number;
  readonly p99: number;
}

export function timelineBuckets(records: readonly RequestRecord[], bucketMs: number): Bucket[] {
  if (records.length === 0) return [];
  // reduce, not Math.max(...spread): a long verify run records more requests than the stack takes arguments.
  const last = records.reduce((max, r) => Math.max(max, r.intendedAt), Number.NEGATIVE_INFINITY);
  const count = Math.floor(last / bucketMs) + 1;
  const latencies: number[][] = Array.from({ length: count }, () => []);
  const buckets = Array.from({ length: count }, (_, i) => ({
    t: i * bucketMs,
    ok: 0,
    failed: {} as Partial<Record<ErrorClass, number>>,
  }));
  for (const record of records) {
    const index = Math.floor(record.intendedAt / bucketMs);
    const bucket = buckets[index];
    if (!bucket) continue;
    latencies[index]?.push(record.endedAt - record.intendedAt);
    if (record.errorClass === undefined) bucket.ok++;
    else bucket.failed[record.errorClass] = (bucket.failed[record.errorClass] ?? 0) + 1;
  }
  return buckets.map((bucket, i) => {
    const sorted = (latencies[i] ?? []).sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0
        ? 0
        : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
    return { ...bucket, p50: round(at(0.5)), p99: round(at(0.99)) };
  });
}

const round = (ms: number) => Math.round(ms * 100) / 100;
