import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import {
  createServer as createHttp2Server,
  createSecureServer,
  type Http2Server,
  connect as http2Connect,
} from 'node:http2';
import { Agent, createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { getTls, listen, sleep, testLameduck, tls } from './test-support.js';

describe('drain across protocols (real sockets)', () => {
  it('HTTPS: an in-flight request on a keep-alive TLS socket completes with Connection: close', async () => {
    const server = createHttpsServer(tls, (_req, res) => setTimeout(() => res.end('secure'), 200));
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true, ca: tls.cert });
    const reply = getTls(port, '/', agent);
    await sleep(80);
    void ld.shutdown('test');
    const { status, headers, body } = await reply;
    assert.deepEqual([status, headers.connection, body], [200, 'close', 'secure']);
    assert.equal(await exited, 0);
    agent.destroy();
  });

  for (const secure of [false, true]) {
    it(`HTTP/2${secure ? ' over TLS' : ' cleartext'}: the client gets GOAWAY and its open stream finishes`, async () => {
      const server: Http2Server = secure
        ? (createSecureServer(tls) as unknown as Http2Server)
        : createHttp2Server();
      server.on('stream', (stream) => {
        setTimeout(() => {
          stream.respond({ ':status': 200 });
          stream.end('h2 done');
        }, 200);
      });
      const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
      const port = await listen(server);
      const client = http2Connect(
        `${secure ? 'https' : 'http'}://localhost:${port}`,
        secure ? { ca: tls.cert } : {},
      );
      const goaway = once(client, 'goaway');
      const stream = client.request({ ':path': '/' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => (body += chunk));
      const response = once(stream, 'response');
      const ended = once(stream, 'end');
      await sleep(50);
      void ld.shutdown('test');
      const [headers] = (await response) as [Record<string, unknown>];
      await ended;
      await goaway;
      assert.equal(headers[':status'], 200);
      assert.equal(body, 'h2 done');
      assert.equal(await exited, 0);
      client.close();
    });
  }

  it('HTTP/2: in-flight streams are counted while they run', async () => {
    const server = createHttp2Server();
    server.on('stream', (stream) =>
      setTimeout(() => stream.respond({ ':status': 204 }, { endStream: true }), 150),
    );
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    const port = await listen(server);
    const client = http2Connect(`http://127.0.0.1:${port}`);
    const streams = [client.request({ ':path': '/a' }), client.request({ ':path': '/b' })];
    for (const s of streams) s.resume();
    await sleep(60);
    assert.deepEqual([ld.state().inFlight, ld.state().connections], [2, 1]);
    void ld.shutdown('test');
    await Promise.all(streams.map((s) => once(s, 'close')));
    assert.equal(await exited, 0);
    client.close();
  });

  it('WebSocket: upgraded sockets go to the hook, which can send close code 1001', async () => {
    const server = createServer();
    server.on('upgrade', (_req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    const seen: string[] = [];
    const { ld, exited } = testLameduck({
      servers: [server],
      timeoutMs: 5000,
      onUpgradedSocket: (socket, req) => {
        seen.push(req.url ?? '');
        // A close frame: FIN + opcode 8, payload 2 bytes, status 1001 (going away).
        socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe9]));
      },
    });
    const port = await listen(server);
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    client.write('GET /live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    await sleep(50);
    assert.equal(ld.state().upgraded, 1);
    void ld.shutdown('test');
    await once(client, 'end');
    client.destroy();
    const received = Buffer.concat(chunks);
    assert.deepEqual([...received.subarray(received.length - 4)], [0x88, 0x02, 0x03, 0xe9]);
    assert.deepEqual(seen, ['/live']);
    assert.equal(await exited, 0);
  });

  it('WebSocket: an upgraded socket nobody closes is cut at the deadline, exit 1', async () => {
    const server = createServer();
    server.on('upgrade', (_req, socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 300 });
    const port = await listen(server);
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    await once(client, 'connect');
    client.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    await sleep(30);
    void ld.shutdown('test');
    assert.equal(await exited, 1);
    client.destroy();
  });

  it('a server without upgrade listeners keeps Node behaviour: the upgrade request is not hijacked', async () => {
    const server = createServer((_req, res) => res.end('plain'));
    testLameduck({ servers: [server], timeoutMs: 5000 });
    assert.equal(server.listenerCount('upgrade'), 0);
    server.close();
  });

  it('CONNECT: a tunnel goes to the hook like an upgrade, and the drain ends when the app closes it', async () => {
    const server = createServer();
    server.on('connect', (_req, socket: import('node:net').Socket) => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.on('data', (chunk) => socket.write(chunk));
    });
    const tunnels: unknown[] = [];
    const { ld, exited } = testLameduck({
      servers: [server],
      timeoutMs: 5000,
      onUpgradedSocket: (socket) => {
        tunnels.push(socket);
        socket.end();
      },
    });
    const port = await listen(server);
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.write('CONNECT example.internal:443 HTTP/1.1\r\nHost: example.internal:443\r\n\r\n');
    await once(client, 'data');
    const started = Date.now();
    void ld.shutdown('test');
    assert.equal(await exited, 0, 'the tunnel was handed over and closed, not cut at the deadline');
    assert.equal(tunnels.length, 1);
    assert.ok(Date.now() - started < 2000);
    client.destroy();
  });

  it('Expect: 100-continue with a checkContinue listener: the request is tracked and finishes with Connection: close', async () => {
    const server = createServer();
    server.on('checkContinue', (_req, res) => {
      res.writeContinue();
      setTimeout(() => res.end('continued'), 300);
    });
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    const port = await listen(server);
    const { request } = await import('node:http');
    const reply = new Promise<{ connection: string | undefined; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { expect: '100-continue' } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ connection: res.headers.connection, body }));
        },
      );
      req.on('continue', () => req.end('payload'));
      req.on('error', reject);
    });
    await sleep(100);
    void ld.shutdown('test');
    assert.deepEqual(await reply, { connection: 'close', body: 'continued' });
    assert.equal(await exited, 0);
  });

  it('HTTP/2: a subclass of the server is still recognised, and its client gets GOAWAY', async () => {
    const { Http2ServerBase } = { Http2ServerBase: Object.getPrototypeOf(createHttp2Server()).constructor };
    class AppServer extends Http2ServerBase {}
    const server = new AppServer() as Http2Server;
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      setTimeout(() => stream.end('sub'), 200);
    });
    const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000 });
    const port = await listen(server);
    const client = http2Connect(`http://127.0.0.1:${port}`);
    const goaway = once(client, 'goaway');
    const stream = client.request({ ':path': '/' });
    let body = '';
    stream.on('data', (c) => (body += c));
    const ended = once(stream, 'end');
    await sleep(50);
    void ld.shutdown('test');
    await goaway;
    await ended;
    assert.equal(body, 'sub');
    assert.equal(await exited, 0);
    client.close();
  });
});
