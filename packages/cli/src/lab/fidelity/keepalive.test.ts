/**
 * The upstream keep-alive race (#17): the lab's ingress keeps idle upstream connections for its
 * upstream keep-alive timeout whatever the app advertises, as nginx does. When the app's own
 * timeout is shorter, a request sent on a connection just as the app closes it fails: nginx does
 * not re-send a POST that went out, so the client gets a 502. With the app's timeout above the
 * proxy's, the proxy closes first and nothing is lost.
 *
 * On loopback the window is a few milliseconds wide, so the load aims at it: each lane has a proxy
 * front of its own with one upstream connection (no other request reuses it), and pauses for the
 * app's measured idle close time plus a small offset, the offsets sweeping through the window.
 * The same load through real nginx (upstream keepalive_timeout) gives the same outcomes.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { endpointOf } from '../../cluster/endpoints.js';
import { classifyStatus, PROXY_ERROR_HEADER } from '../../load/classify.js';
import type { RequestRecord } from '../../recording/records.js';
import { diagnose } from '../../report/diagnose.js';
import { replicaLifecycles } from '../../report/lifecycle.js';
import { labApp } from '../../testing/helpers.js';
import { accepts, nginxUnavailable, startNginx } from '../../testing/nginx.js';
import { freePort } from '../cluster.js';
import { Ingress } from '../ingress.js';
import { EndpointView } from '../propagator.js';

const POD = 'app-1';
const LANES = 12;
/** The proxies' upstream keep-alive, short to keep the runs short. */
const UPSTREAM_KEEPALIVE_MS = 3000;

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startApp(keepAliveTimeoutMs: number): Promise<number> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [labApp, 'none'], {
    env: { ...process.env, PORT: String(port), KEEPALIVE_TIMEOUT_MS: String(keepAliveTimeoutMs) },
    stdio: 'ignore',
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await accepts(port)) return port;
    await sleep(50);
  }
  throw new Error('the app did not listen');
}

/**
 * How long the app really keeps an idle connection after a response: Node 20.20 waits 1 s more than
 * the keepAliveTimeout it advertises. The second measure, once the app's code paths are warm.
 */
async function idleCloseMs(port: number): Promise<number> {
  let measured = 0;
  for (let i = 0; i < 2; i++) {
    const socket = net.connect(port, '127.0.0.1');
    let answeredAt = 0;
    socket.on('data', () => (answeredAt = performance.now()));
    socket.write('GET / HTTP/1.1\r\nhost: app\r\n\r\n');
    await once(socket, 'end');
    measured = performance.now() - answeredAt;
    socket.destroy();
  }
  return Math.round(measured);
}

/** One proxy front per lane, each with an upstream keep-alive pool of its own. */
type Fronts = (appPort: number) => Promise<readonly number[]>;

const labIngresses: Fronts = async (appPort) => {
  const ports: number[] = [];
  for (let i = 0; i < LANES; i++) {
    const view = new EndpointView('ingress', 'ingress', () => 0);
    view.endpoints = [
      endpointOf({ pod: POD, host: '127.0.0.1', port: appPort, podReady: true, terminating: false }),
    ];
    const ingress = new Ingress(view, {
      upstreamTimeoutMs: 10_000,
      upstreamKeepAliveMs: UPSTREAM_KEEPALIVE_MS,
    });
    cleanups.push(() => ingress.close());
    ports.push(await ingress.listen());
  }
  return ports;
};

const nginxFronts: Fronts = async (appPort) => {
  const nginx = await startNginx({
    upstreamPort: appPort,
    fronts: LANES,
    keepaliveTimeoutSeconds: UPSTREAM_KEEPALIVE_MS / 1000,
  });
  cleanups.push(() => nginx.close());
  return nginx.ports;
};

interface Outcome {
  readonly status: number;
  readonly proxyError: string | undefined;
}

function post(port: number, agent: http.Agent): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            proxyError: response.headers[PROXY_ERROR_HEADER] as string | undefined,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end('{"lameduck":"load"}');
  });
}

/** One lane: a POST through its front, then one POST after each pause. */
async function lane(port: number, pausesMs: readonly number[]): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await post(port, agent);
    const outcomes: Outcome[] = [];
    for (const pause of pausesMs) {
      await sleep(pause);
      outcomes.push(await post(port, agent));
    }
    return outcomes;
  } finally {
    agent.destroy();
  }
}

/**
 * The lanes side by side, lane i starting 41 ms after lane i - 1 (requests of different lanes do not
 * meet in the same millisecond) and pausing pauseMs(i, round) before each of its requests.
 */
async function sweep(
  ports: readonly number[],
  rounds: number,
  pauseMs: (lane: number, round: number) => number,
): Promise<Outcome[]> {
  const lanes = ports.map(async (port, i) => {
    await sleep(i * 41);
    return lane(
      port,
      Array.from({ length: rounds }, (_, round) => pauseMs(i, round)),
    );
  });
  return (await Promise.all(lanes)).flat();
}

/**
 * App keep-alive 1 s (closed after 2 s on Node 20.20), upstream 3 s. Each round, the lanes' pauses
 * end from 8 ms before to 3 ms after the app's measured close, a different lane at each offset: the
 * request and the app's FIN cross there, give or take the timers' own lateness.
 */
async function raceThrough(
  fronts: Fronts,
): Promise<{ outcomes: Outcome[]; failed: Outcome[]; closeMs: number }> {
  const appPort = await startApp(1000);
  const closeMs = await idleCloseMs(appPort);
  const ports = await fronts(appPort);
  // The race is a window of a few milliseconds: a sweep meets it a few times, and one that never
  // does is followed by another, up to three, so that the test fails only when the race is gone.
  const outcomes: Outcome[] = [];
  for (let attempt = 0; attempt < 3 && outcomes.every((o) => o.status === 200); attempt++)
    outcomes.push(...(await sweep(ports, 5, (i, round) => closeMs - 8 + ((i + 5 * round) % LANES))));
  return { outcomes, failed: outcomes.filter((o) => o.status !== 200), closeMs };
}

/**
 * App keep-alive 5 s, upstream 3 s: pauses spread over 2.9-3.56 s, across the proxy's own close (the
 * lab's idle timer fires within 0.5 s after the 3 s).
 */
async function fixThrough(fronts: Fronts): Promise<Outcome[]> {
  const ports = await fronts(await startApp(5000));
  return sweep(ports, 2, (i) => 2900 + i * 60);
}

/** The outcomes as the load generator records them, so that the report's diagnosis reads them. */
function asRecords(outcomes: readonly Outcome[]): RequestRecord[] {
  return outcomes.map((outcome, i) => ({
    id: i + 1,
    intendedAt: 1000 + i,
    startedAt: 1000 + i,
    endedAt: 1001 + i,
    plane: 'ingress',
    connection: i + 1,
    reused: true,
    localPort: undefined,
    replica: POD,
    status: outcome.status,
    errorClass: classifyStatus(outcome.status, outcome.proxyError !== undefined),
    ...(outcome.proxyError === undefined ? {} : { error: outcome.proxyError }),
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lab fidelity: upstream keep-alive outliving the app', { timeout: 150_000 }, () => {
  it("an app that closes idle connections before the ingress does: POSTs get 502, diagnosed as the upstream's keep-alive outliving the app", async (t) => {
    const { outcomes, failed, closeMs } = await raceThrough(labIngresses);
    t.diagnostic(`${failed.length} of ${outcomes.length} POSTs failed; the app closed after ${closeMs} ms`);
    assert.ok(failed.length > 0, `no request met the app's close at ${closeMs} ms`);
    assert.deepEqual(
      [...new Set(failed.map((o) => `${o.status} ${o.proxyError}`))],
      ['502 eof-reused'],
      'only 502s from a reused upstream connection',
    );
    const diagnosis = diagnose({
      requests: asRecords(outcomes),
      replicas: replicaLifecycles([
        { at: 0, type: 'pod-created', pod: POD },
        { at: 500, type: 'ready', pod: POD },
      ]),
      preStopSeconds: undefined,
    });
    assert.deepEqual(
      diagnosis.map((d) => [d.cause, d.count]),
      [['upstream-keepalive-outlives-app', failed.length]],
    );
    assert.match(diagnosis[0]?.advice ?? '', /upstreamIdleTimeoutMs|LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS/);
  });

  it('an app that keeps idle connections longer than the ingress does: the ingress closes first, nothing fails', async (t) => {
    const outcomes = await fixThrough(labIngresses);
    t.diagnostic(`${outcomes.filter((o) => o.status !== 200).length} of ${outcomes.length} POSTs failed`);
    assert.equal(outcomes.length, LANES * 2);
    assert.deepEqual(
      outcomes.filter((o) => o.status !== 200),
      [],
    );
  });
});

describe('real nginx, the same load: as the lab', { timeout: 360_000, skip: nginxUnavailable() }, () => {
  it('an app keep-alive of 1 s behind keepalive_timeout 3s: POSTs get 502', async (t) => {
    const { outcomes, failed, closeMs } = await raceThrough(nginxFronts);
    t.diagnostic(`${failed.length} of ${outcomes.length} POSTs failed; the app closed after ${closeMs} ms`);
    assert.ok(failed.length > 0, `no request met the app's close at ${closeMs} ms`);
    assert.deepEqual([...new Set(failed.map((o) => o.status))], [502]);
  });

  it('an app keep-alive of 5 s behind keepalive_timeout 3s: nothing fails', async (t) => {
    const outcomes = await fixThrough(nginxFronts);
    t.diagnostic(`${outcomes.filter((o) => o.status !== 200).length} of ${outcomes.length} POSTs failed`);
    assert.equal(outcomes.length, LANES * 2);
    assert.deepEqual(
      outcomes.filter((o) => o.status !== 200),
      [],
    );
  });
});
