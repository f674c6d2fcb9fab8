/**
 * verify against an API server that misbehaves: a proxy in front of the test API injects each fault
 * seen in the wild (or in a fuzzer) into the real HTTP exchange, and verify must end with one line
 * that says what the API did wrong, within its timeouts, or ride the fault out.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type ApiCluster,
  type CliRun,
  labKubeconfig,
  runBin,
  runCli,
  startApiCluster,
} from '../testing/helpers.js';

/** What the proxy does with one request: answer it itself, or pass it on (return false). */
type Fault = (request: http.IncomingMessage, response: http.ServerResponse) => boolean;

interface FaultyApi {
  readonly kubeconfig: string;
  /** Requests seen, by "GET /path?watch" shape. */
  readonly seen: string[];
  /** Stops listening and cuts every connection: the API server dies. */
  die(): void;
  close(): Promise<void>;
}

const isWatch = (request: http.IncomingMessage) => /[?&]watch=(true|1)\b/.test(request.url ?? '');
const isPodWatch = (request: http.IncomingMessage) =>
  isWatch(request) && (request.url ?? '').includes('/pods?');

async function faultyApi(cluster: ApiCluster, fault: Fault): Promise<FaultyApi> {
  const upstream = new URL(cluster.server);
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${(request.url ?? '').split('?')[0]}${isWatch(request) ? ' watch' : ''}`);
    if (fault(request, response)) return;
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    response.on('close', () => forwarded.destroy());
    request.pipe(forwarded);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeconfig = join(cluster.dir, 'faulty-config');
  await writeFile(kubeconfig, labKubeconfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  const die = () => {
    server.close();
    for (const socket of sockets) socket.destroy();
  };
  return {
    kubeconfig,
    seen,
    die,
    close: () =>
      new Promise((resolve) => {
        die();
        resolve();
      }),
  };
}

const QUICK = ['--rate', '30/s', '--baseline', '1s', '--tail', '1s', '--no-progress'];

function verifyThrough(api: FaultyApi, c: ApiCluster, ...extra: string[]): string[] {
  return ['verify', 'deployment/web', '--kubeconfig', api.kubeconfig, '--url', c.url, ...QUICK, ...extra];
}

function assertOneLine(run: CliRun, message: RegExp): void {
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, message);
  assert.doesNotMatch(run.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
  assert.doesNotMatch(run.stderr, /^lameduck: the rollout .* did not finish/, 'says what the API did first');
}

describe('verify against an API server that misbehaves', { timeout: 120_000 }, () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });
  const setUp = async (fault: Fault, settings: { preStopSeconds?: number } = {}) => {
    const c = await startApiCluster({ mode: 'lameduck', preStopSeconds: settings.preStopSeconds ?? 1 });
    closers.push(() => c.close());
    const api = await faultyApi(c, fault);
    closers.push(() => api.close());
    return { c, api };
  };

  it('a watch line that never ends: a one-line error at 16 MB, in seconds, even from the real binary', async () => {
    const { c, api } = await setUp((request, response) => {
      if (!isPodWatch(request)) return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const flood = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', flood);
      };
      flood();
      return true;
    });
    const started = Date.now();
    const run = await runBin(verifyThrough(api, c, '--rollout-timeout', '60s'));
    assertOneLine(
      run,
      /the watch of \/api\/v1\/namespaces\/shop\/pods sent more than 16 MB without a line break/,
    );
    assert.ok(Date.now() - started < 15_000, `ended after ${Date.now() - started} ms`);
  });

  it('a watch that always answers 410 Gone: relisted with back-off, not thousands of times a second', async () => {
    const { c, api } = await setUp(
      (request, response) => {
        if (!isPodWatch(request)) return false;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } })}\n`,
        );
        return true;
        // Two 5 s preStops: the rollout outlasts the timeout, whatever the relists showed of it.
      },
      { preStopSeconds: 5 },
    );
    const started = Date.now();
    const run = await runCli(verifyThrough(api, c, '--rollout-timeout', '6s'));
    const seconds = (Date.now() - started) / 1000;
    const watches = api.seen.filter((r) => r === 'GET /api/v1/namespaces/shop/pods watch').length;
    // The back-off doubles up to 5 s: a handful of attempts in these seconds, never a tight loop.
    assert.ok(watches >= 2 && watches <= 4 * seconds, `${watches} watches in ${seconds} s`);
    assertOneLine(
      run,
      /the API server failed during the rollout of deployment\/web in namespace shop: it answers 410 Gone \(resource version too old\) to every watch, even right after a fresh list \(watching pods; \d+ failed attempts\)/,
    );
  });

  it('one 500 on a watch reconnect, then streams cut mid-rollout: retried, and the run passes', async () => {
    let podWatches = 0;
    const open = new Set<http.ServerResponse>();
    const { c, api } = await setUp(
      (request, response) => {
        if (!isPodWatch(request)) return false;
        podWatches++;
        if (podWatches === 2) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              kind: 'Status',
              status: 'Failure',
              code: 500,
              message: 'etcdserver: leader changed',
            }),
          );
          return true;
        }
        open.add(response);
        response.on('close', () => open.delete(response));
        return false;
      },
      { preStopSeconds: 2 },
    );
    // Cut the pod watch (a reset, not an end) as soon as the rollout starts, and once more later.
    let cuts = 0;
    c.log.onEvent((event) => {
      if (event.type !== 'terminating' || cuts++ > 1) return;
      for (const response of open) response.socket?.destroy();
    });
    const run = await runCli(verifyThrough(api, c, '--format', 'json'));
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, 'pass');
    assert.ok(podWatches >= 3, `${podWatches} pod watches`);
  });

  it('a list answered 200 with a body that is not JSON: one line that says so', async () => {
    const { c, api } = await setUp((request, response) => {
      if (request.method !== 'GET' || !(request.url ?? '').includes('/deployments/web')) return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('<html>captive portal</html>');
      return true;
    });
    assertOneLine(
      await runCli(verifyThrough(api, c)),
      /GET \/apis\/apps\/v1\/namespaces\/shop\/deployments\/web: the API server at http:\/\/127\.0\.0\.1:\d+ answered 200 with a body that is not a JSON object/,
    );
  });

  it('a watch line that is not JSON: one line that says so', async () => {
    const { c, api } = await setUp((request, response) => {
      if (!isPodWatch(request)) return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"type":"ADDED","object":{oops\n');
      return true;
    });
    assertOneLine(
      await runCli(verifyThrough(api, c)),
      /the watch of \/api\/v1\/namespaces\/shop\/pods sent a line that is not JSON: \{"type":"ADDED"/,
    );
  });

  it('an API server that dies mid-rollout: named first as the cause, once', async () => {
    let api: FaultyApi | undefined;
    const setup = await setUp(() => false, { preStopSeconds: 2 });
    api = setup.api;
    let died = false;
    setup.c.log.onEvent((event) => {
      if (event.type !== 'terminating' || died) return;
      died = true;
      api?.die();
    });
    const run = await runCli(verifyThrough(api, setup.c, '--rollout-timeout', '5s'));
    assert.equal(run.code, 2, run.stdout + run.stderr);
    // One clause for the one cause, naming every watch it broke; then what the rollout had reached.
    assert.match(
      run.stderr,
      /^lameduck: the API server failed during the rollout of deployment\/web in namespace shop: cannot reach the API server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check the context \(--context\) and your network or VPN \(watching pods, endpointslices, events, deployments; \d+ failed attempts\); the rollout did not finish within 5 s/,
    );
    assert.doesNotMatch(run.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
  });

  it('an API server that accepts and never answers: one line after the request timeout', {
    timeout: 60_000,
  }, async () => {
    const { c, api } = await setUp((request) => request.method === 'GET' && !isWatch(request));
    assertOneLine(
      await runCli(verifyThrough(api, c)),
      /the API server at http:\/\/127\.0\.0\.1:\d+ did not answer within 30 s/,
    );
  });
});
