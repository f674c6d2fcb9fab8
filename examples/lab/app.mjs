// A small HTTP app for `lameduck lab`, with the shutdown behaviours the guide discusses.
//   node app.mjs <mode>     listens on $PORT; GET /healthz is its readiness endpoint
// Modes:
//   exit      process.exit(0) on SIGTERM: the classic "no drain at all"
//   guide     the guide's Node.js snippet: server.close(), destroy every tracked socket, exit
//   drain     server.close() and wait for in-flight requests, however long they take
//   lameduck  the lameduck runtime library
//   none      no SIGTERM handler
// GET /livez always answers 200 (liveness must not fail while draining).
// ?delay=<ms> (or $DELAY_MS) makes a request slow.
// $KEEPALIVE_TIMEOUT_MS sets server.keepAliveTimeout (Node's default: 5000): the app closes an idle
// kept-alive connection after it (Node 20.20+ waits 1 s more than it advertises), whatever the proxy
// in front still thinks.
import { createServer } from 'node:http';

const mode = process.argv[2] ?? 'lameduck';
const defaultDelay = Number(process.env.DELAY_MS ?? 0);
let shuttingDown = false;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://app');
  if (url.pathname === '/livez') {
    res.end('alive\n');
    return;
  }
  if (url.pathname === '/healthz') {
    res.statusCode = shuttingDown ? 503 : 200;
    res.end(shuttingDown ? 'draining\n' : 'ok\n');
    return;
  }
  const delay = Number(url.searchParams.get('delay') ?? defaultDelay);
  req.resume();
  // ANNOUNCE_POD=1: name the pod in the header the load generator reads, so requests through a real
  // Service are tied to the pod that answered them (the lab's proxies name it themselves).
  if (process.env.ANNOUNCE_POD === '1') res.setHeader('x-lameduck-upstream', process.env.POD_NAME ?? 'app');
  req.on('end', () => setTimeout(() => res.end(`hello from ${process.env.POD_NAME ?? 'app'}\n`), delay));
});

if (process.env.KEEPALIVE_TIMEOUT_MS !== undefined) {
  server.keepAliveTimeout = Number(process.env.KEEPALIVE_TIMEOUT_MS);
}

if (mode === 'exit') {
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'guide') {
  const connections = new Set();
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  process.on('SIGTERM', () => {
    if (shuttingDown) return;
    shuttingDown = true;
    server.close(() => process.exit(0));
    for (const socket of connections) socket.destroy();
    setTimeout(() => process.exit(1), 25000);
  });
} else if (mode === 'drain') {
  process.on('SIGTERM', () => {
    shuttingDown = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
} else if (mode === 'lameduck') {
  const { lameduck } = await import('@lameduck/node');
  const ld = lameduck({ servers: [server], logger: 'silent', pid1Check: false });
  ld.on('shutdown', () => {
    shuttingDown = true;
  });
}

// HOST: 127.0.0.1 by default (the lab's replicas share the machine); 0.0.0.0 in a real pod.
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
