/**
 * How long each consumer of the EndpointSlice API (a node's kube-proxy, an ingress controller) takes
 * to act on a change. Pure: delays come from a seeded generator so a run can be repeated.
 */
import type { ClusterProfile, SecondsRange } from '../model/guide-tables.js';

/**
 * Propagation assumed per cluster profile. The guide: "In small clusters, endpoint propagation might
 * finish in under a second. In large clusters with 100+ nodes ... 10 to 30 seconds"; KEP-3453
 * measured a p50 of about 5 s on 5,000 nodes with minSyncPeriod 1 s. Medium sits between.
 */
export const PROPAGATION_BY_PROFILE: Record<ClusterProfile, SecondsRange> = {
  small: { min: 0.2, max: 1 },
  medium: { min: 1, max: 10 },
  large: { min: 10, max: 30 },
};

/** The lab's default when no propagation, node count or profile is given. */
export const DEFAULT_PROPAGATION: SecondsRange = { min: 1, max: 4 };

/**
 * ingress-nginx's Lua balancer picks up a new peer list on its next BACKENDS_SYNC_INTERVAL tick (1 s,
 * rootfs/etc/nginx/lua/balancer.lua), on top of the controller's own watch delay.
 */
export const INGRESS_SYNC_INTERVAL_SECONDS = 1;

/** mulberry32: small, fast and good enough to spread delays; seeded for repeatable runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleSeconds(range: SecondsRange, random: () => number): number {
  return range.min + (range.max - range.min) * random();
}

/**
 * When a consumer applies a change published at `publishedAt`: after its own delay, and never before
 * a change it received earlier (a watch delivers events in order).
 */
export function applyTime(publishedAt: number, delay: number, lastAppliedAt: number): number {
  return Math.max(publishedAt + delay, lastAppliedAt);
}

/** Parses `2s..4s`, `1.5..3` or a single `2s` into a range in seconds. */
export function parsePropagation(text: string): SecondsRange | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)(ms|s)?\s*(?:\.\.\s*(\d+(?:\.\d+)?)(ms|s)?)?\s*$/.exec(text);
  if (!match) return undefined;
  const toSeconds = (value: string, unit: string | undefined) => Number(value) / (unit === 'ms' ? 1000 : 1);
  const min = toSeconds(match[1] as string, match[2]);
  const max = match[3] === undefined ? min : toSeconds(match[3], match[4] ?? match[2]);
  return max >= min ? { min, max } : undefined;
}
