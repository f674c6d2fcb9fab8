import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { get, listen, sleep, testLameduck } from './test-support.js';

describe('observability', () => {
  it('emits shutdown, drained and exit in order, and state() shows the work in flight', async () => {
    // The response waits until the state was read: a loaded machine cannot make it finish first.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = createServer((_req, res) => void held.then(() => res.end('ok')));
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    const port = await listen(server);
    const events: string[] = [];
    ld.on('shutdown', (e) => events.push(`shutdown:${e.deadline.ms}`));
    ld.on('drained', () => events.push('drained'));
    ld.on('exit', (e) => events.push(`exit:${e.code}:${e.cut}`));
    const reply = get(port, '/');
    for (let waited = 0; ld.state().inFlight === 0 && waited < 5000; waited += 10) await sleep(10);
    assert.deepEqual(ld.state(), { phase: 'ready', inFlight: 1, connections: 1, upgraded: 0 });
    void ld.shutdown('test');
    release();
    await reply;
    assert.equal(await exited, 0);
    assert.deepEqual(events, ['shutdown:5000', 'drained', 'exit:0:0']);
  });

  it('logs through any pino-style logger as (fields, message), one line per step', async () => {
    const server = createServer((_req, res) => res.end());
    const lines: string[] = [];
    const logger = {
      info: (fields: object, message: string) =>
        lines.push(`info ${(fields as { event: string }).event}: ${message}`),
      warn: (fields: object, message: string) =>
        lines.push(`warn ${(fields as { event: string }).event}: ${message}`),
      error: (fields: object, message: string) =>
        lines.push(`error ${(fields as { event: string }).event}: ${message}`),
    };
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000, logger });
    await listen(server);
    ld.onShutdown('pool', () => undefined);
    void ld.shutdown('SIGTERM received');
    await exited;
    assert.deepEqual(
      lines.map((l) => l.replace(/(done in|after) \d+ ms/, '$1 N ms')),
      [
        'info shutdown: SIGTERM received; readiness now fails; deadline 5000 ms (timeout option: 5000 ms)',
        'info drain: draining: listeners closed, 0 request(s) in flight on 0 connection(s)',
        'info hook: cleanup pool: done in N ms',
        'info exit: exit 0 after N ms',
      ],
    );
  });
});
