/**
 * Zero-code adoption: `node --import @lameduck/node/register app.js` (`--require` for CommonJS, or
 * either one in NODE_OPTIONS) drains every http, https and http2 server the app listens with, with no
 * line of the app changed. One lameduck handles them all, with one signal handler.
 *
 * Settings come from the environment (environment.ts) and are checked here, before the app runs: a
 * bad value prints one line and exits 1, rather than failing at SIGTERM.
 */
import { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { isHttp2Server } from './connections.js';
import { HEALTH_PORT_ENV, settingsFromEnvironment } from './environment.js';
import { type Lameduck, lameduck } from './lameduck.js';

/** Shared by the ESM and the CommonJS copy of this module, so that loading both registers once. */
const REGISTERED = Symbol.for('@lameduck/node/register');

function fail(message: string): never {
  process.stderr.write(`lameduck: ${message}\n`);
  process.exit(1);
}

/**
 * Attach each http, https or http2 server when it starts listening. The hook is on
 * net.Server.prototype.listen, which all of them inherit, so it sees servers however the app or its
 * framework made them, `import { createServer } from 'node:http'` included: a patch of the
 * module's exports would miss that named import in ESM.
 */
function attachOnListen(ld: Lameduck): void {
  const attached = new WeakSet<NetServer>();
  const listen = NetServer.prototype.listen;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    const isHttp = this instanceof HttpServer || this instanceof HttpsServer || isHttp2Server(this);
    if (isHttp && !attached.has(this)) {
      attached.add(this);
      ld.attach(this);
    }
    return listen.apply(this, args as Parameters<typeof listen>);
  } as typeof listen;
}

function register(): void {
  const registry = globalThis as { [REGISTERED]?: true };
  // Worker threads run preloads too; the process and its signals belong to the main thread.
  if (!isMainThread || registry[REGISTERED]) return;
  registry[REGISTERED] = true;
  let ld: Lameduck;
  let healthPort: number | undefined;
  try {
    const settings = settingsFromEnvironment(process.env);
    healthPort = settings.healthPort;
    ld = lameduck(settings.options);
  } catch (error) {
    fail((error as Error).message);
  }
  // Started before the hook exists (serveHealth calls listen synchronously), so the health server is
  // not drained with the app's servers: it keeps answering 503 while they close.
  if (healthPort !== undefined) {
    ld.serveHealth({ port: healthPort }).catch((error: Error) =>
      fail(`${HEALTH_PORT_ENV}=${healthPort}: ${error.message}`),
    );
  }
  attachOnListen(ld);
}

register();
