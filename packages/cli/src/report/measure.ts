/**
 * What `verify` measures on a real cluster beyond the lab's report: how long each pod stayed in its
 * Services' ready endpoints after deletion (as the API shows it), when the first failure came
 * relative to SIGTERM, and the preStop sleep those numbers call for. Pure.
 */
import type { RequestRecord } from '../recording/records.js';
import type { ReplicaLifecycle } from './lifecycle.js';

export interface PodMeasurement {
  readonly pod: string;
  /** Deletion to removal from every Service's ready endpoints, in seconds. */
  readonly endpointRemovalSeconds: number | undefined;
  /** SIGTERM (estimated) to the first failed request that overlapped the pod's termination. */
  readonly firstFailureAfterSigtermSeconds: number | undefined;
}

export interface Measurement {
  readonly pods: readonly PodMeasurement[];
  readonly slowestEndpointRemovalSeconds: number | undefined;
  /** Failures sent after a deletion: routing still used the terminating pod this long. */
  readonly lastFailureAfterDeletionSeconds: number | undefined;
  readonly recommendedPreStopSeconds: number | undefined;
  readonly basis: string;
}

/**
 * The API's endpoint update is only the start of propagation: kube-proxy (minSyncPeriod 1 s) and
 * ingress controllers (a 1 s batch, more under load) act after it. This margin covers them.
 */
export const DATA_PLANE_MARGIN_SECONDS = 2;

export function measure(
  replicas: readonly ReplicaLifecycle[],
  requests: readonly RequestRecord[],
  currentPreStopSeconds: number | undefined,
): Measurement {
  const failures = requests.filter((r) => r.errorClass !== undefined && r.errorClass !== 'http-4xx');
  const pods: PodMeasurement[] = [];
  let lastFailureAfterDeletion: number | undefined;
  for (const replica of replicas) {
    if (replica.terminatingAt === undefined) continue;
    const removals = Object.values(replica.endpointRemovedAt);
    const removal =
      removals.length === 0 ? undefined : (Math.max(...removals) - replica.terminatingAt) / 1000;
    const mine = failures.filter((r) => r.replica === replica.name);
    const sigterm = replica.sigtermAt ?? replica.exitAt;
    const afterSigterm = sigterm === undefined ? [] : mine.filter((r) => r.endedAt >= sigterm);
    const first =
      afterSigterm.length === 0
        ? undefined
        : afterSigterm.reduce((min, r) => Math.min(min, r.startedAt), Number.POSITIVE_INFINITY);
    for (const failure of mine) {
      const since = (failure.startedAt - replica.terminatingAt) / 1000;
      if (since >= 0) lastFailureAfterDeletion = Math.max(lastFailureAfterDeletion ?? 0, since);
    }
    pods.push({
      pod: replica.name,
      endpointRemovalSeconds: removal,
      firstFailureAfterSigtermSeconds:
        first === undefined || sigterm === undefined ? undefined : Math.max(0, (first - sigterm) / 1000),
    });
  }
  const removals = pods.flatMap((p) =>
    p.endpointRemovalSeconds === undefined ? [] : [p.endpointRemovalSeconds],
  );
  const slowest = removals.length === 0 ? undefined : Math.max(...removals);
  const observed = Math.max(slowest ?? 0, lastFailureAfterDeletion ?? 0);
  const recommended =
    slowest === undefined && lastFailureAfterDeletion === undefined
      ? undefined
      : Math.max(Math.ceil(observed + DATA_PLANE_MARGIN_SECONDS), currentPreStopSeconds ?? 0);
  const basis =
    recommended === undefined
      ? 'no pod was seen leaving the endpoints: nothing to measure'
      : `the slowest removal from ready endpoints took ${(slowest ?? 0).toFixed(1)} s after deletion` +
        (lastFailureAfterDeletion === undefined
          ? ''
          : `, and requests still reached a terminating pod ${lastFailureAfterDeletion.toFixed(1)} s after deletion`) +
        `; plus ${DATA_PLANE_MARGIN_SECONDS} s for kube-proxy and ingress to act on it` +
        (currentPreStopSeconds !== undefined && recommended === currentPreStopSeconds
          ? ' (the current preStop already covers it)'
          : '');
  return {
    pods,
    slowestEndpointRemovalSeconds: slowest,
    lastFailureAfterDeletionSeconds: lastFailureAfterDeletion,
    recommendedPreStopSeconds: recommended,
    basis,
  };
}
