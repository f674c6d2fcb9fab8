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
  const byPort = new Map<number, RouteEntry[]>();
  for (const route of routes) {
    const list = byPort.get(route.clientPort) ?? [];
    list.push(route);
    byPort.set(route.clientPort, list);
  }
  return records.map((record) => {
    if (record.localPort === undefined || record.replica !== undefined) return record;
    // The newest route for this port accepted before the request ended.
    const route = byPort
      .get(record.localPort)
      ?.filter((r) => r.at <= record.endedAt + 1)
      .at(-1);
    if (!route) return record;
    const refused = route.outcome !== 'connected' && !record.reused;
    return {
      ...record,
      node: route.node,
      ...(route.pod ? { replica: route.pod } : {}),
      ...(refused && record.errorClass !== undefined ? { errorClass: 'refused' as const } : {}),
    };
  });
}
