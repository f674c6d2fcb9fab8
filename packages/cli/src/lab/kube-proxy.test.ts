import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { it } from 'node:test';
import { resetFlow } from './kube-proxy.js';

it('resetFlow closes a client whose FIN is still going out: a reset there would leave its handle open for good', async () => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('error', () => {});
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  const errors: string[] = [];
  accepted.on('error', (error: NodeJS.ErrnoException) => errors.push(`${error.syscall} ${error.code}`));
  // upstream.pipe(client) ends the client when the pod closes first; the pod's reset follows at once,
  // while libuv still holds the shutdown (Node calls _final, and with it shutdown(), on the next tick).
  accepted.end();
  await new Promise((resolve) => process.nextTick(() => process.nextTick(resolve)));
  resetFlow(accepted);
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    once(accepted, 'close').then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 2000);
    }),
  ]);
  clearTimeout(timer);
  client.destroy();
  server.close();
  assert.deepEqual(errors, []);
  assert.ok(closed, "the client's socket closes");
});
