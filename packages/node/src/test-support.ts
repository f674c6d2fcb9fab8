/** Shared by the runtime library's tests: loopback servers, clients and child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
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

export function get(port: number, path: string, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process running test/fixtures/server.mjs; resolves once it listens. */
export async function startFixture(mode: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [`${fixtures}server.mjs`, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(child.stdout as NodeJS.ReadableStream, 'data'),
    sleep(10_000).then(() => {
      throw new Error('fixture did not start');
    }),
  ])) as [Buffer];
  const port = Number(/listening (\d+)/.exec(line.toString())?.[1]);
  return { child, port };
}

export async function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}
