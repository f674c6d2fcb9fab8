import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { Agent as HttpsAgent } from 'node:https';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  exitOf,
  fixtures,
  get,
  getTls,
  keepAliveLoad,
  killIfRunning,
  listen,
  sleep,
  startApp,
  tls,
} from './test-support.js';

const zeroCode = fileURLToPath(new URL('../../../examples/node/zero-code/', import.meta.url));
const REGISTER = '@lameduck/node/register';
/** grace 10 s - preStop 0 - margin 2 s: the process must exit on its own within 8 s of SIGTERM. */
const GRACE_SECONDS = '10';
const DEADLINE_MS = 8000;
const CLIENTS = 8;

/** How each unmodified app is started: the three ways of loading the preload are all covered. */
const apps = [
  { script: 'express.mjs', how: '--import', nodeArgs: ['--import', REGISTER] },
  { script: 'fastify.mjs', how: '--import', nodeArgs: ['--import', REGISTER] },
  { script: 'nestjs.mjs', how: '--import', nodeArgs: ['--import', REGISTER] },
  { script: 'koa.mjs', how: 'NODE_OPTIONS', env: { NODE_OPTIONS: `--import ${REGISTER}` } },
  { script: 'hono.mjs', how: '--import', nodeArgs: ['--import', REGISTER] },
  { script: 'http.mjs', how: '--import', nodeArgs: ['--import', REGISTER] },
  { script: 'express.cjs', how: '--require', nodeArgs: ['--require', REGISTER] },
];

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('register preload: unmodified apps under keep-alive load, real SIGTERM', () => {
  for (const app of apps) {
    it(`${app.script} (${app.how}): zero failed requests, in-flight ones finish, later replies say Connection: close, exit 0 before the deadline`, {
      timeout: 60_000,
    }, async () => {
      const { child, port, log } = await startApp({
        script: `${zeroCode}${app.script}`,
        cwd: zeroCode,
        nodeArgs: app.nodeArgs ?? [],
        env: { TERMINATION_GRACE_PERIOD_SECONDS: GRACE_SECONDS, ...app.env },
      });
      try {
        const load = keepAliveLoad(port, CLIENTS);
        await load.established;
        await sleep(150); // into the cycle of 5/100/300 ms requests, so some are in flight
        load.signalled();
        const signalledAt = performance.now();
        child.kill('SIGTERM');
        const report = await load.done;
        const exit = await exitOf(child);
        const exitMs = performance.now() - signalledAt;

        assert.deepEqual(report.failures, [], log());
        assert.ok(report.finishedAcrossSignal > 0, 'no request was in flight at SIGTERM');
        assert.equal(report.closedByServer, CLIENTS, 'every client was told Connection: close');
        assert.equal(report.keptAliveAfterSignal, 0);
        assert.deepEqual(exit, { code: 0, signal: null }, log());
        assert.ok(exitMs < DEADLINE_MS, `exit took ${exitMs} ms`);
        assert.match(log(), new RegExp(`deadline ${DEADLINE_MS} ms \\(grace ${GRACE_SECONDS}s`));
      } finally {
        killIfRunning(child);
      }
    });
  }

  it('one process with an http, an https and an http2 server: all three drain, and the health port answers 503 through the drain', {
    timeout: 30_000,
  }, async () => {
    const healthPort = await freePort();
    const { child, ports, log } = await startApp({
      script: `${fixtures}servers.mjs`,
      cwd: fixtures,
      nodeArgs: ['--import', REGISTER],
      env: { LAMEDUCK_HEALTH_PORT: String(healthPort), TERMINATION_GRACE_PERIOD_SECONDS: GRACE_SECONDS },
    });
    const [httpPort = 0, httpsPort = 0, http2Port = 0] = ports;
    const httpsAgent = new HttpsAgent({ keepAlive: true, ca: tls.cert });
    const h2 = http2Connect(`http://127.0.0.1:${http2Port}`);
    try {
      assert.equal((await get(healthPort, '/healthz/ready')).status, 200);
      const plain = get(httpPort, '/?delay=600', new Agent({ keepAlive: true }));
      const secure = getTls(httpsPort, '/?delay=600', httpsAgent);
      const goaway = once(h2, 'goaway');
      const stream = h2.request({ ':path': '/?delay=600' });
      stream.setEncoding('utf8');
      let h2Body = '';
      stream.on('data', (chunk) => (h2Body += chunk));
      const h2Ended = once(stream, 'end');
      await sleep(150);
      child.kill('SIGTERM');
      await sleep(100);
      // The health server is not one of the drained servers: it answers all through the drain.
      const [ready, live] = await Promise.all([
        get(healthPort, '/healthz/ready'),
        get(healthPort, '/healthz/live'),
      ]);
      assert.deepEqual([ready.status, live.status], [503, 200]);
      for (const reply of await Promise.all([plain, secure])) {
        assert.deepEqual([reply.status, reply.headers.connection, reply.body], [200, 'close', 'done']);
      }
      await Promise.all([goaway, h2Ended]);
      assert.equal(h2Body, 'done');
      assert.deepEqual(await exitOf(child), { code: 0, signal: null }, log());
    } finally {
      h2.close();
      httpsAgent.destroy();
      killIfRunning(child);
    }
  });

  it('LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS sets keepAliveTimeout above the load balancer: Keep-Alive: timeout=61 for 60', async () => {
    const { child, port } = await startApp({
      script: `${zeroCode}http.mjs`,
      cwd: zeroCode,
      nodeArgs: ['--import', REGISTER],
      env: { LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS: '60' },
    });
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await get(port, '/', agent)).headers['keep-alive'], 'timeout=61');
    } finally {
      agent.destroy();
      killIfRunning(child);
    }
  });
});

describe('register preload: a bad environment value stops the process before the app runs', () => {
  const cases = [
    { env: { LAMEDUCK_HEALTH_PORT: '80a' }, flag: '--import', names: 'LAMEDUCK_HEALTH_PORT="80a"' },
    { env: { LAMEDUCK_HEALTH_PORT: '70000' }, flag: '--require', names: 'LAMEDUCK_HEALTH_PORT="70000"' },
    {
      env: { LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS: '60s' },
      flag: '--import',
      names: 'LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS="60s"',
    },
    {
      env: { TERMINATION_GRACE_PERIOD_SECONDS: '-1' },
      flag: '--require',
      names: 'TERMINATION_GRACE_PERIOD_SECONDS="-1"',
    },
  ];
  for (const { env, flag, names } of cases) {
    it(`${names} (${flag}): one line naming the variable, the value and what it takes; exit 1`, () => {
      const result = spawnSync(process.execPath, [flag, REGISTER, '-e', 'console.log("the app ran")'], {
        cwd: zeroCode,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 15_000,
      });
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', /^lameduck: \S+="[^"]*" is not .+; set it to /);
      assert.ok(lines[0]?.includes(names), result.stderr);
    });
  }

  it('with valid values the app runs as usual and a process without a server exits by itself', () => {
    const result = spawnSync(process.execPath, ['--import', REGISTER, '-e', 'console.log("the app ran")'], {
      cwd: zeroCode,
      env: {
        ...process.env,
        LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS: '60',
        TERMINATION_GRACE_PERIOD_SECONDS: '30',
      },
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.deepEqual([result.status, result.stdout], [0, 'the app ran\n'], result.stderr);
  });
});
