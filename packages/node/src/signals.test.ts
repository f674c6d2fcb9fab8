import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { exitOf, get, killIfRunning, sleep, startFixture } from './test-support.js';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) killIfRunning(child);
});

async function fixture(mode: string) {
  const started = await startFixture(mode);
  children.push(started.child);
  return started;
}

describe('signals (real processes)', () => {
  it('SIGTERM with a request in flight: the request completes and the process exits 0 by itself, not 143', async () => {
    const { child, port } = await fixture('lameduck');
    const reply = get(port, '/?delay=300');
    await sleep(50);
    child.kill('SIGTERM');
    assert.equal((await reply).body, 'done');
    assert.deepEqual(await exitOf(child), { code: 0, signal: null });
  });

  it('a bare Node server dies of SIGTERM at once (signal, no exit code) and cuts the request', async () => {
    const { child, port } = await fixture('bare');
    const reply = get(port, '/?delay=300').then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code,
    );
    await sleep(50);
    child.kill('SIGTERM');
    assert.deepEqual(await exitOf(child), { code: null, signal: 'SIGTERM' });
    assert.equal(await reply, 'ECONNRESET');
  });

  it('a second SIGTERM during the drain forces an immediate exit with 1', async () => {
    const { child, port } = await fixture('lameduck');
    const reply = get(port, '/?delay=3000').catch((e: NodeJS.ErrnoException) => e.code);
    await sleep(50);
    const shutdown = once(child.stdout as NodeJS.ReadableStream, 'data');
    child.kill('SIGTERM');
    await shutdown;
    const started = performance.now();
    child.kill('SIGTERM');
    assert.deepEqual(await exitOf(child), { code: 1, signal: null });
    assert.ok(performance.now() - started < 500);
    assert.equal(await reply, 'ECONNRESET');
  });
});
