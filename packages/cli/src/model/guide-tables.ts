/**
 * The guide's tables: the preStop sleep by cluster size and the grace period by workload type, and
 * how a cluster's node count picks its size.
 */
import type { WorkloadType } from './workloads.js';

export type ClusterProfile = 'small' | 'medium' | 'large';
export const CLUSTER_PROFILES: readonly ClusterProfile[] = ['small', 'medium', 'large'];

export interface SecondsRange {
  readonly min: number;
  readonly max: number;
}

/** The guide's "Recommended sleep values"; large also covers external load balancers. */
export const PRESTOP_SLEEP_BY_PROFILE: Record<ClusterProfile, SecondsRange> = {
  small: { min: 5, max: 10 },
  medium: { min: 10, max: 15 },
  large: { min: 15, max: 30 },
};

/** The guide's "Recommended values by workload type". */
export const GRACE_BY_WORKLOAD: Record<WorkloadType, SecondsRange> = {
  http: { min: 45, max: 60 },
  websocket: { min: 60, max: 120 },
  batch: { min: 120, max: 300 },
  stateful: { min: 60, max: 120 },
};

export const WORKLOAD_LABELS: Record<WorkloadType, string> = {
  http: 'stateless HTTP',
  websocket: 'WebSocket / long-poll',
  batch: 'batch worker / job',
  stateful: 'stateful',
};

/** Fewer than 50 nodes is small, 50 to 99 medium, 100 and more ("100+") large. */
export function profileForNodes(nodes: number): ClusterProfile {
  if (nodes < 50) return 'small';
  if (nodes < 100) return 'medium';
  return 'large';
}

/** Assumed when neither --nodes nor --profile is given: the guide's own example (15 s) sits in it. */
export const DEFAULT_PROFILE: ClusterProfile = 'medium';
