import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exitOf, get, killIfRunning, sleep, startApp } from './test-support.js';

const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) killIfRunning(child);
});

async function start(example: string) {
  const app = await startApp({ script: `${examples}${example}.mjs`, cwd: examples });
  children.push(app.child);
  return app;
}

describe('framework examples (real processes, real SIGTERM)', () => {
  for (const example of ['express', 'fastify', 'nestjs']) {
    it(`${example}: ready, then on SIGTERM the in-flight request finishes with Connection: close and the process exits 0`, async () => {
      const { child, port, log } = await start(example);
      const agent = new Agent({ keepAlive: true });
      assert.equal((await get(port, '/healthz/ready', agent)).status, 200);
      assert.equal((await get(port, '/healthz/live', agent)).status, 200);
      const reply = get(port, '/slow?delay=400', new Agent({ keepAlive: true }));
      await sleep(100);
      child.kill('SIGTERM');
      const { status, headers, body } = await reply;
      assert.deepEqual([status, headers.connection, body], [200, 'close', 'done']);
      assert.deepEqual(await exitOf(child), { code: 0, signal: null }, log());
      assert.match(log(), /exit 0 after \d+ ms/);
      agent.destroy();
    });
  }
});
