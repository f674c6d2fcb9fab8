/**
 * Keep-alive ordering behind a load balancer. The upstream (an ALB, nginx, a cloud load balancer)
 * reuses idle connections to the pod until its own idle timeout. When Node closes an idle connection
 * first, the upstream can send a request on it while the FIN is on its way: the request is reset and
 * the client gets a 502. Keeping Node's idle timeout above the upstream's leaves the closing to the
 * upstream.
 */
import type { AttachableServer } from './connections.js';
import { DeadlineConfigError } from './deadline.js';

/** How far above the upstream's idle timeout Node closes an idle connection. */
const KEEP_ALIVE_MARGIN_MS = 1000;
/**
 * No load balancer keeps idle connections for a day (AWS ALB allows up to 4000 s, GCP is fixed at
 * 600 s), and the bound keeps far from Node's timer limit (~24.8 days), past which a socket
 * timeout fires after 1 ms instead.
 */
export const MAX_UPSTREAM_IDLE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** An http or https server; http2 servers have sessions instead of keep-alive sockets. */
interface KeepAliveServer {
  keepAliveTimeout: number;
  headersTimeout: number;
}

export function validateUpstreamIdleTimeout(ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_UPSTREAM_IDLE_TIMEOUT_MS) {
    throw new DeadlineConfigError(
      `upstreamIdleTimeoutMs must be a number of milliseconds above 0 and at most ${MAX_UPSTREAM_IDLE_TIMEOUT_MS} (a day), got ${ms}`,
    );
  }
}

/**
 * keepAliveTimeout becomes at least the upstream's idle timeout + 1 s, and headersTimeout at least
 * keepAliveTimeout + 1 s (the long-standing advice: older Node versions applied headersTimeout
 * across a keep-alive connection's idle time). Raised, never lowered: longer timeouts the app set
 * itself stay.
 */
export function raiseKeepAlive(server: AttachableServer, upstreamIdleTimeoutMs: number): void {
  if (!hasKeepAlive(server)) return;
  server.keepAliveTimeout = Math.max(server.keepAliveTimeout, upstreamIdleTimeoutMs + KEEP_ALIVE_MARGIN_MS);
  server.headersTimeout = Math.max(server.headersTimeout, server.keepAliveTimeout + KEEP_ALIVE_MARGIN_MS);
}

function hasKeepAlive(server: AttachableServer): server is AttachableServer & KeepAliveServer {
  const timeouts = server as Partial<KeepAliveServer>;
  return typeof timeouts.keepAliveTimeout === 'number' && typeof timeouts.headersTimeout === 'number';
}
