/**
 * Readiness and liveness as plain Node handlers `(req, res)`, usable on the app's own port from any
 * framework, or on a dedicated health server that keeps answering while the app drains.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';

export interface HealthReport {
  readonly status: 200 | 503;
  readonly body: { readonly status: string; readonly phase: string; readonly failed?: readonly string[] };
}

export type HealthHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function sendReport(res: ServerResponse, report: HealthReport): void {
  const body = JSON.stringify(report.body);
  res.writeHead(report.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export interface HealthServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly readinessPath?: string;
  readonly livenessPath?: string;
}

export function createHealthServer(
  options: HealthServerOptions,
  readiness: () => Promise<HealthReport>,
  liveness: () => HealthReport,
): Server {
  const readinessPath = options.readinessPath ?? '/healthz/ready';
  const livenessPath = options.livenessPath ?? '/healthz/live';
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === readinessPath) {
      readiness().then(
        (report) => sendReport(res, report),
        () => sendReport(res, { status: 503, body: { status: 'error', phase: 'unknown' } }),
      );
    } else if (path === livenessPath) {
      sendReport(res, liveness());
    } else {
      res.writeHead(404).end();
    }
  });
}
