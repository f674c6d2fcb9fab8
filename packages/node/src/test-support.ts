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
