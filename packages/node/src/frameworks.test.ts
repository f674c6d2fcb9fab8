import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exitOf, get, sleep } from './test-support.js';

const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function start(example: string): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const child = spawn(process.execPath, [`${examples}${example}.mjs`], {
    cwd: examples,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (chunk) => (log += chunk));
  const [line] = (await Promise.race([
    once(child.stdout as NodeJS.ReadableStream, 'data'),
    sleep(15_000).then(() => {
      throw new Error(`${example} did not start: ${log}`);
    }),
  ])) as [Buffer];
  return { child, port: Number(/listening (\d+)/.exec(line.toString())?.[1]), log: () => log };
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
