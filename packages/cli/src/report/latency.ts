/** Latency percentiles from an HDR histogram (microsecond resolution, 3 significant digits). */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function latencySummary(millis: Iterable<number>): LatencySummary {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  try {
    for (const value of millis) histogram.recordValue(Math.max(1, Math.round(value * 1000)));
    if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const ms = (micros: number) => Math.round(micros) / 1000;
    return {
      p50: ms(histogram.getValueAtPercentile(50)),
      p90: ms(histogram.getValueAtPercentile(90)),
      p99: ms(histogram.getValueAtPercentile(99)),
      max: ms(histogram.maxValue),
    };
  } finally {
    histogram.destroy();
  }
}
