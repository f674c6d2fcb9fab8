import assert from 'node:assert/strict';
import { Agent, createServer } from 'node:http';
import { describe, it } from 'node:test';
import { type HookOutcome, runHooks } from './hooks.js';
import { get, listen, sleep, testLameduck } from './test-support.js';

describe('cleanup hooks', () => {
  it('run in reverse order of registration; an error in one is reported and the rest still run; exit 1', async () => {
    const server = createServer((_req, res) => res.end());
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    await listen(server);
    const order: string[] = [];
    ld.onShutdown('database', () => order.push('database'))
      .onShutdown('queue', () => {
        order.push('queue');
        throw new Error('queue broke');
      })
      .onShutdown('cache', async () => {
        await sleep(10);
        order.push('cache');
      });
    let outcomes: readonly HookOutcome[] = [];
    ld.on('exit', (event) => {
      outcomes = event.hooks;
    });
    void ld.shutdown('test');
    assert.equal(await exited, 1);
    assert.deepEqual(order, ['cache', 'queue', 'database']);
    assert.deepEqual(
      outcomes.map((o) => `${o.name}:${o.status}`),
      ['cache:ok', 'queue:error', 'database:ok'],
    );
  });

  it('each hook has its own timeout', async () => {
    const outcomes = await runHooks(
      [
        { name: 'fast', run: () => undefined, timeoutMs: 1000 },
        { name: 'stuck', run: () => new Promise(() => {}), timeoutMs: 50 },
      ],
      () => {},
    );
    assert.deepEqual(
      outcomes.map((o) => `${o.name}:${o.status}`),
      ['stuck:timeout', 'fast:ok'],
    );
  });

  it('hooks that outlast the deadline are abandoned and the process still exits in time, with 1', async () => {
    const server = createServer((_req, res) => res.end());
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 300 });
    await listen(server);
    ld.onShutdown('stuck', () => new Promise(() => {}), { timeoutMs: 10_000 });
    const started = performance.now();
    void ld.shutdown('test');
    assert.equal(await exited, 1);
    assert.ok(performance.now() - started < 400);
  });
});

describe('health', () => {
  it('readiness: 503 before listening, 200 when listening, 503 from the first instant of shutdown; liveness 200 throughout', async () => {
    const server = createServer((_req, res) => res.end());
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000, drainDelayMs: 100 });
    assert.deepEqual([(await ld.readinessReport()).status, ld.phase], [503, 'starting']);
    await listen(server);
    assert.deepEqual([(await ld.readinessReport()).status, ld.phase], [200, 'ready']);
    void ld.shutdown('test');
    assert.deepEqual([(await ld.readinessReport()).status, ld.livenessReport().status], [503, 200]);
    assert.equal(await exited, 0);
    assert.equal(ld.livenessReport().status, 200);
  });

  it('user readiness checks can hold readiness back, naming the failing check', async () => {
    const server = createServer((_req, res) => res.end());
    let dbUp = false;
    const { ld } = testLameduck({
      servers: [server],
      readinessChecks: [{ name: 'database', check: () => dbUp }],
    });
    await listen(server);
    assert.deepEqual((await ld.readinessReport()).body, {
      status: 'not_ready',
      phase: 'ready',
      failed: ['database'],
    });
    dbUp = true;
    assert.equal((await ld.readinessReport()).status, 200);
    server.close();
  });

  it('the handlers work on the app own port, and a dedicated health port keeps answering while the app drains', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/healthz/ready') return ld.readiness(req, res);
      if (req.url === '/healthz/live') return ld.liveness(req, res);
      setTimeout(() => res.end('work'), 300);
    });
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    const port = await listen(server);
    assert.equal((await get(port, '/healthz/ready')).status, 200);
    assert.equal((await get(port, '/healthz/live')).status, 200);
    const health = await ld.serveHealth({ port: 0, host: '127.0.0.1' });
    const healthPort = (health.address() as { port: number }).port;
    const work = get(port, '/work');
    await sleep(30);
    void ld.shutdown('test');
    await sleep(30);
    const ready = await get(healthPort, '/healthz/ready');
    const live = await get(healthPort, '/healthz/live');
    assert.deepEqual([ready.status, JSON.parse(ready.body).status], [503, 'shutting_down']);
    assert.deepEqual([live.status, JSON.parse(live.body).phase], [200, 'draining']);
    assert.equal((await work).body, 'work');
    assert.equal(await exited, 0);
  });

  it("what a probe sees in each phase, on the app's port and on serveHealth's: the README's table", async () => {
    // A fresh connection per probe, as the kubelet makes them (keep-alive off for probes).
    const probe = async (port: number, path: string) => {
      try {
        return (await get(port, path, new Agent({ keepAlive: false }))).status;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code;
      }
    };
    const seen = async (appPort: number, healthPort: number) => [
      await probe(appPort, '/healthz/ready'),
      await probe(appPort, '/healthz/live'),
      await probe(healthPort, '/healthz/ready'),
      await probe(healthPort, '/healthz/live'),
    ];
    for (const drainDelayMs of [0, 400]) {
      const server = createServer((req, res) => {
        if (req.url === '/healthz/ready') return ld.readiness(req, res);
        if (req.url === '/healthz/live') return ld.liveness(req, res);
        setTimeout(() => res.end('work'), 800);
      });
      const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000, drainDelayMs });
      const health = await ld.serveHealth({ port: 0, host: '127.0.0.1' });
      const healthPort = (health.address() as { port: number }).port;
      // Starting (the app's server not listening yet): the health port already answers.
      assert.deepEqual(
        [await probe(healthPort, '/healthz/ready'), await probe(healthPort, '/healthz/live')],
        [503, 200],
      );
      const appPort = await listen(server);
      assert.deepEqual(await seen(appPort, healthPort), [200, 200, 200, 200], 'serving');
      const work = get(appPort, '/work');
      await sleep(50);
      void ld.shutdown('test');
      await sleep(50);
      assert.deepEqual(
        await seen(appPort, healthPort),
        drainDelayMs > 0 ? [503, 200, 503, 200] : ['ECONNREFUSED', 'ECONNREFUSED', 503, 200],
        `drainDelayMs ${drainDelayMs}`,
      );
      if (drainDelayMs > 0) {
        await sleep(drainDelayMs);
        assert.deepEqual(
          await seen(appPort, healthPort),
          ['ECONNREFUSED', 'ECONNREFUSED', 503, 200],
          'draining',
        );
      }
      assert.equal((await work).body, 'work');
      assert.equal(await exited, 0);
      health.close();
    }
  });
});
