/**
 * Pins each request to the replica that served or failed it, from the best evidence the rehearsal
 * has: the data plane's own route (the lab's kube-proxy records which pod each connection went to,
 * by the client's local port and time), else, for a failure, the pod that was terminating when it
 * happened (all a real cluster shows). Pure; the lab and verify both call it.
 */
import type { RequestRecord, RouteEntry } from '../recording/records.js';
import type { ReplicaLifecycle } from './lifecycle.js';

export interface AttributionEvidence {
  /** Every connection the data plane routed, when it recorded them (the lab's kube-proxy does). */
  readonly routes?: readonly RouteEntry[];
  /** When each replica terminated and exited, from the recorded lifecycle events. */
  readonly replicas?: readonly ReplicaLifecycle[];
}

export function attributeRequests(
  requests: readonly RequestRecord[],
  { routes = [], replicas = [] }: AttributionEvidence,
): RequestRecord[] {
  const routed = routes.length > 0 ? byRoute(requests, routes) : [...requests];
  return replicas.length > 0 ? routed.map((request) => byTime(request, replicas)) : routed;
}

/**
 * A connection the emulated DNAT could not complete is the client's "connection refused", whatever
 * the user-space proxy had to do to signal it.
 */
function byRoute(records: readonly RequestRecord[], routes: readonly RouteEntry[]): RequestRecord[] {
  // Connections to different nodes may share a local port: the key is the pair.
  const key = (node: string | undefined, port: number) => `${node}:${port}`;
  const byConnection = new Map<string, RouteEntry[]>();
  for (const route of routes) {
    const list = byConnection.get(key(route.node, route.clientPort)) ?? [];
    list.push(route);
    byConnection.set(key(route.node, route.clientPort), list);
  }
  return records.map((record) => {
    if (record.localPort === undefined || record.replica !== undefined) return record;
    // The newest route for this connection accepted before the request ended.
    const route = byConnection
      .get(key(record.node, record.localPort))
      ?.filter((r) => r.at <= record.endedAt + 1)
      .sort((a, b) => a.at - b.at)
      .at(-1);
    if (!route) return record;
    const refused = route.outcome !== 'connected' && !record.reused;
    return {
      ...record,
      ...(route.pod ? { replica: route.pod } : {}),
      ...(refused && record.errorClass !== undefined ? { errorClass: 'refused' as const } : {}),
    };
  });
}

/** A failure no route explains is pinned to the pod terminating at the time, when one fits. */
function byTime(request: RequestRecord, replicas: readonly ReplicaLifecycle[]): RequestRecord {
  if (request.errorClass === undefined || request.replica !== undefined) return request;
  const candidates = replicas.filter(
    (r) =>
      r.terminatingAt !== undefined &&
      request.endedAt >= r.terminatingAt &&
      request.startedAt <= (r.exitAt ?? Number.POSITIVE_INFINITY) + 1000,
  );
  const chosen = candidates.length <= 1 ? candidates[0] : likeliest(request, candidates);
  return chosen ? { ...request, replica: chosen.name } : request;
}

/**
 * On a real cluster the next pod is deleted while the last one's exit is still being reported, so
 * a failure can fall in two pods' windows. The one that stopped during the request explains a cut;
 * otherwise the one that stopped last before it was sent is the stale endpoint it most likely hit.
 */
function likeliest(
  request: RequestRecord,
  candidates: readonly ReplicaLifecycle[],
): ReplicaLifecycle | undefined {
  const stoppedAt = (r: ReplicaLifecycle) => r.sigtermAt ?? r.exitAt;
  const during = candidates.filter((r) => {
    const at = stoppedAt(r);
    return at !== undefined && at > request.startedAt && at <= request.endedAt;
  });
  if (during.length === 1) return during[0];
  const before = candidates
    .filter((r) => (stoppedAt(r) ?? Number.POSITIVE_INFINITY) <= request.startedAt)
    .sort((a, b) => (stoppedAt(b) ?? 0) - (stoppedAt(a) ?? 0));
  return before[0];
}
