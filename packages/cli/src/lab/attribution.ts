/**
 * Joins each request to the kube-proxy route its connection took, by the client's local port and
 * time. A connection the emulated DNAT could not complete is the client's "connection refused",
 * whatever the user-space proxy had to do to signal it.
 */
import type { RequestRecord } from '../recording/records.js';
import type { RouteEntry } from './kube-proxy.js';

export function attributeRoutes(
  records: readonly RequestRecord[],
  routes: readonly RouteEntry[],
): RequestRecord[] {
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
