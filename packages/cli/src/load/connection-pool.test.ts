import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { it } from 'node:test';
import { ConnectionPool, type PoolOptions } from './connection-pool.js';

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
      serverKeepAliveHint: 'honor',
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

/** Whether each request, sent after the given pause, went out on a kept-alive connection. */
async function reuseAfterPauses(
  serverKeepAliveMs: number,
  pool: Pick<PoolOptions, 'keepAliveTimeoutMs' | 'serverKeepAliveHint'>,
  pausesMs: readonly number[],
): Promise<boolean[]> {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = serverKeepAliveMs;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const connections = new ConnectionPool(new URL(`http://127.0.0.1:${port}`), {
    ...pool,
    maxConnections: 1,
    maxIdle: 1,
    connectTimeoutMs: 1000,
    nextSocketId: () => 1,
  });
  const send = async (): Promise<boolean> => {
    const connection = connections.acquire();
    assert.ok(connection);
    let reused = false;
    await new Promise<void>((resolve, reject) =>
      connection.client.dispatch(
        { path: '/', method: 'GET' },
        {
          onConnect: () => {
            reused = connections.begin(connection).reused;
          },
          onHeaders: () => true,
          onData: () => true,
          onComplete: () => resolve(),
          onError: reject,
        },
      ),
    );
    connections.release(connection);
    return reused;
  };
  try {
    await send();
    const reused: boolean[] = [];
    for (const pause of pausesMs) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      reused.push(await send());
    }
    return reused;
  } finally {
    await connections.close();
    server.closeAllConnections();
    server.close();
  }
}

it("ignoring the server's hint, keeps an idle connection for its own timeout, as nginx's upstream keepalive_timeout", async () => {
  // The server advertises `Keep-Alive: timeout=1`; undici alone would not reuse the connection at all.
  const reused = await reuseAfterPauses(
    1000,
    { keepAliveTimeoutMs: 1500, serverKeepAliveHint: 'ignore' },
    [200, 600],
  );
  assert.deepEqual(reused, [true, true]);
});

it('closes an idle connection after its own timeout, even when the server would keep it', async () => {
  const reused = await reuseAfterPauses(
    10_000,
    { keepAliveTimeoutMs: 300, serverKeepAliveHint: 'ignore' },
    [100, 900],
  );
  assert.deepEqual(reused, [true, false]);
});

it("honouring the server's hint, closes before the server does, as undici and browsers", async () => {
  const reused = await reuseAfterPauses(
    1000,
    { keepAliveTimeoutMs: 1500, serverKeepAliveHint: 'honor' },
    [200],
  );
  assert.deepEqual(reused, [false]);
});
