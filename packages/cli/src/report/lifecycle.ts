/**
 * Each replica's termination, read back from the event log: when it was told to go, when each data
 * plane stopped routing to it, when the signals came and how it ended. Pure.
 */
import { type LifecycleEvent, WATCH_LAG_ALLOWANCE_MS } from '../recording/records.js';

export interface ReplicaLifecycle {
  readonly name: string;
  readonly createdAt: number | undefined;
  readonly readyAt: number | undefined;
  readonly terminatingAt: number | undefined;
  readonly preStopStartAt: number | undefined;
  readonly preStopEndAt: number | undefined;
  readonly failedPreStopHook: string | undefined;
  readonly sigtermAt: number | undefined;
  /** Why SIGTERM never reached the app (PID 1 without a handler). */
  readonly sigtermIgnored: string | undefined;
  readonly killedAt: number | undefined;
  readonly exitAt: number | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly restarts: number;
  /** When each node or ingress stopped routing new traffic to it. */
  readonly endpointRemovedAt: Readonly<Record<string, number>>;
}

export function replicaLifecycles(events: readonly LifecycleEvent[]): ReplicaLifecycle[] {
  const byPod = new Map<string, LifecycleEvent[]>();
  for (const event of events) {
    if (event.pod === undefined) continue;
    byPod.set(event.pod, [...(byPod.get(event.pod) ?? []), event]);
  }
  return [...byPod.entries()].map(([name, list]) => {
    const first = (type: LifecycleEvent['type']) => list.find((e) => e.type === type);
    const terminating = first('terminating');
    // The exit that ended the pod: the last one (earlier ones were restarts).
    const exit = list.findLast((e) => e.type === 'exit');
    // The removal the deletion caused. On a real cluster it comes on another watch than the deletion
    // and may be delivered first; it then counts as at the deletion.
    const removed: Record<string, number> = {};
    for (const event of list) {
      if (
        event.type === 'endpoint-removed' &&
        event.node !== undefined &&
        terminating &&
        event.at >= terminating.at - WATCH_LAG_ALLOWANCE_MS
      ) {
        removed[event.node] ??= Math.max(event.at, terminating.at);
      }
    }
    return {
      name,
      createdAt: first('pod-created')?.at,
      readyAt: first('ready')?.at,
      terminatingAt: terminating?.at,
      preStopStartAt: first('prestop-start')?.at,
      preStopEndAt: first('prestop-end')?.at,
      failedPreStopHook: first('failed-prestop-hook')?.detail,
      sigtermAt: first('sigterm')?.at ?? first('sigterm-ignored')?.at,
      sigtermIgnored: first('sigterm-ignored')?.detail,
      killedAt: first('sigkill')?.at,
      exitAt: exit?.at,
      exitCode: exit?.exitCode,
      signal: exit?.signal,
      restarts: list.filter((e) => e.type === 'container-restart').length,
      endpointRemovedAt: removed,
    };
  });
}
