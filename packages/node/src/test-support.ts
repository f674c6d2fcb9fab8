/** Shared by the runtime library's tests: loopback servers, clients and child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Lameduck, type LameduckOptions, lameduck } from './lameduck.js';

export const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
export const tls = {
  key: readFileSync(`${fixtures}localhost-key.pem`),
  cert: readFileSync(`${fixtures}localhost-cert.pem`),
};

export interface Listenable {
  listen(port: number, host: string, callback: () => void): unknown;
  address(): AddressInfo | string | null;
}

export async function listen(server: Listenable): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A lameduck that records its exit instead of ending the test process. */
export function testLameduck(options: LameduckOptions): { ld: Lameduck; exited: Promise<number> } {
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const ld = lameduck({
    signals: false,
    logger: 'silent',
    pid1Check: false,
    ...options,
    exit: (code) => resolveExit(code),
  });
  return { ld, exited };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Sends the request and collects its reply. */
function replyOf(req: ClientRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export function get(port: number, path: string, agent?: Agent): Promise<Reply> {
  return replyOf(httpRequest({ host: '127.0.0.1', port, path, agent: agent ?? false }));
}

/** get() over TLS; the agent trusts the fixture certificate, which is issued for localhost. */
export function getTls(port: number, path: string, agent: HttpsAgent): Promise<Reply> {
  return replyOf(httpsRequest({ host: '127.0.0.1', port, path, agent, servername: 'localhost' }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process running test/fixtures/server.mjs <mode>; resolves once it listens. */
export function startFixture(mode: string): Promise<StartedApp> {
  return startApp({ script: `${fixtures}server.mjs`, args: [mode], cwd: fixtures });
}

export async function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

/** Kills a child process that is still running (for finally blocks and after hooks). */
export function killIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface StartedApp {
  readonly child: ChildProcess;
  /** The first port the app printed; `ports` has them all. */
  readonly port: number;
  readonly ports: readonly number[];
  /** Everything the app wrote to stderr so far. */
  readonly log: () => string;
}

/**
 * Starts `node [nodeArgs] script [args]` on loopback with PORT=0 and resolves once it prints
 * "listening <port> [more ports]". The caller kills it (killIfRunning) whatever happens.
 */
export async function startApp(options: {
  readonly script: string;
  readonly cwd: string;
  readonly nodeArgs?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}): Promise<StartedApp> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stderr?.on('data', (chunk) => (log += chunk));
  try {
    const [line] = (await Promise.race([
      once(child.stdout as NodeJS.ReadableStream, 'data'),
      sleep(15_000).then(() => {
        throw new Error(`${options.script} did not start: ${log}`);
      }),
    ])) as [Buffer];
    const ports = (/listening ([\d ]+)/.exec(line.toString())?.[1] ?? '').trim().split(' ').map(Number);
    return { child, port: ports[0] ?? Number.NaN, ports, log: () => log };
  } catch (error) {
    killIfRunning(child);
    throw error;
  }
}

export interface LoadReport {
  readonly requests: number;
  /** Error codes, or unexpected replies, in the order they happened. */
  readonly failures: readonly string[];
  /** Requests sent before the signal and answered after it. */
  readonly finishedAcrossSignal: number;
  /** Requests sent after the signal whose reply did not carry Connection: close. */
  readonly keptAliveAfterSignal: number;
  /** Clients that stopped because the server answered with Connection: close. */
  readonly closedByServer: number;
}

export interface KeepAliveLoad {
  /** Resolves once every client has had a reply: each holds an open connection. */
  readonly established: Promise<void>;
  /** Call just before sending the signal. */
  signalled(): void;
  /** Resolves once every client has stopped: after a Connection: close reply, or a failure. */
  readonly done: Promise<LoadReport>;
}

/** Request delays the load cycles through, in ms, so some requests are in flight at any moment. */
const LOAD_DELAYS_MS = [5, 100, 300];

/**
 * Clients as they behave behind kube-proxy once the endpoints are updated: each keeps its one
 * keep-alive connection and sends `GET /slow?delay=…` on it back to back, and stops when a reply
 * says Connection: close (its next connection would go to another pod) or on a failure.
 */
export function keepAliveLoad(port: number, clients: number): KeepAliveLoad {
  let signalledAt = Number.POSITIVE_INFINITY;
  let requests = 0;
  let finishedAcrossSignal = 0;
  let keptAliveAfterSignal = 0;
  let closedByServer = 0;
  const failures: string[] = [];
  const firstReplies: Promise<void>[] = [];
  const runs: Promise<void>[] = [];
  for (let client = 0; client < clients; client++) {
    let answered: () => void = () => {};
    firstReplies.push(new Promise((resolve) => (answered = resolve)));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const run = async () => {
      for (let n = client; ; n++) {
        const sentAt = performance.now();
        requests++;
        let reply: Reply;
        try {
          reply = await get(port, `/slow?delay=${LOAD_DELAYS_MS[n % LOAD_DELAYS_MS.length]}`, agent);
        } catch (error) {
          failures.push((error as NodeJS.ErrnoException).code ?? String(error));
          return;
        }
        answered();
        if (reply.status !== 200 || reply.body !== 'done') {
          failures.push(`status ${reply.status}: ${reply.body}`);
          return;
        }
        const closing = reply.headers.connection === 'close';
        if (sentAt < signalledAt && performance.now() >= signalledAt) finishedAcrossSignal++;
        if (sentAt >= signalledAt && !closing) keptAliveAfterSignal++;
        if (closing) {
          closedByServer++;
          return;
        }
      }
    };
    runs.push(
      run().finally(() => {
        answered(); // a client that failed before its first reply must not hold up `established`
        agent.destroy();
      }),
    );
  }
  return {
    established: Promise.all(firstReplies).then(() => {}),
    signalled: () => {
      signalledAt = performance.now();
    },
    done: Promise.all(runs).then(() => ({
      requests,
      failures,
      finishedAcrossSignal,
      keptAliveAfterSignal,
      closedByServer,
    })),
  };
}
