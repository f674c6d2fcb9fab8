import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { it } from 'node:test';
import { ConnectionPool } from './connection-pool.js';

it('bounds the connect by its timeout: a SYN nobody answers fails in time, not after the kernel gives up', async () => {
  // A listener whose accept queue is full drops further SYNs, as a deleted pod's IP behind a stale
  // rule does. (Node's own listeners always accept, so a listen(0) that never accepts is Python's.)
  const listener = spawn('python3', [
    '-c',
    "import socket,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0); print(s.getsockname()[1], flush=True); time.sleep(60)",
  ]);
  const fillers: net.Socket[] = [];
  try {
    const [line] = (await once(listener.stdout, 'data')) as [Buffer];
    const port = Number(String(line).trim());
    for (let i = 0; i < 4; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => {}));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pool = new ConnectionPool(new URL(`http://127.0.0.1:${port}`), {
      maxConnections: 1,
      maxIdle: 1,
      keepAliveTimeoutMs: 1000,
      connectTimeoutMs: 400,
      nextSocketId: () => 1,
    });
    const connection = pool.acquire();
    assert.ok(connection);
    const started = Date.now();
    const error = await connection.client.request({ path: '/', method: 'GET', headersTimeout: 10_000 }).then(
      () => assert.fail('a full accept queue answered'),
      (e: Error & { code?: string }) => e,
    );
    assert.equal(error.code, 'UND_ERR_CONNECT_TIMEOUT');
    assert.ok(Date.now() - started < 3000, `failed after ${Date.now() - started} ms`);
    await connection.client.destroy();
  } finally {
    for (const socket of fillers) socket.destroy();
    listener.kill('SIGKILL');
  }
});
