// The same app behind every variant: /work?ms=N answers 200 with a 1 KiB body after N ms.
import { createServer } from 'node:http';

export const BODY = Buffer.alloc(1024, 'x');
/** The shutdown budget every variant is given, from SIGTERM to exit. */
export const DEADLINE_MS = 10_000;

function send(res) {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
}

export function handler(req, res) {
  const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? 0);
  if (ms === 0) send(res);
  else setTimeout(() => send(res), ms);
}

export function createAppServer() {
  return createServer(handler);
}

/** Listens on PORT (default: any free port) on loopback and tells the harness. */
export function listen(server) {
  return new Promise((resolve) => {
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
      process.stdout.write(`listening ${server.address().port}\n`);
      resolve(server);
    });
  });
}
