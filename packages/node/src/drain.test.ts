import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { LameduckOptions } from './lameduck.js';
import { get, listen, sleep, testLameduck } from './test-support.js';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.closeAllConnections();
});

/** A server whose handler waits ?delay ms, or streams ?chunks chunks ?every ms apart. */
function slowServer(): Server {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks = Number(url.searchParams.get('chunks') ?? 0);
    if (chunks > 0) {
      const every = Number(url.searchParams.get('every') ?? 100);
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`chunk${sent}\n`);
        if (++sent === chunks) {
          clearInterval(timer);
          res.end();
        }
      }, every);
      return;
    }
    if (url.searchParams.has('never')) return;
    setTimeout(() => res.end('done'), Number(url.searchParams.get('delay') ?? 0));
  });
  servers.push(server);
  return server;
}

/**
 * A listening slowServer with a test lameduck on it (5 s deadline unless overridden). `arrived()`
 * resolves once the server has the next request: a loaded machine may take longer than any fixed
 * sleep to accept a connection, and a listener closed before that resets it.
 */
async function drainable(options: Partial<LameduckOptions> = {}) {
  const server = slowServer();
  const { ld, exited } = testLameduck({ servers: [server], timeoutMs: 5000, ...options });
  const port = await listen(server);
  const arrived = () => once(server, 'request');
  return { ld, exited, port, arrived };
}

describe('drain (HTTP/1.1, real sockets)', () => {
  it('a request in flight at shutdown on a keep-alive socket completes, with Connection: close, then exit 0', async () => {
    const { ld, exited, port, arrived } = await drainable();
    const agent = new Agent({ keepAlive: true });
    const inFlight = arrived();
    const reply = get(port, '/?delay=300', agent);
    await inFlight;
    void ld.shutdown('test');
    const { status, headers, body } = await reply;
    assert.deepEqual([status, headers.connection, body], [200, 'close', 'done']);
    assert.equal(await exited, 0);
    agent.destroy();
  });

  it('keep-alive sockets idle for longer than idleGraceMs are closed at once: the drain ends in well under 100 ms', async () => {
    const { ld, exited, port } = await drainable({ idleGraceMs: 100 });
    const agent = new Agent({ keepAlive: true });
    await get(port, '/', agent);
    const idle = Object.values(agent.freeSockets).flat()[0] as Socket;
    assert.ok(idle, 'the agent kept a socket');
    idle.ref(); // the agent unrefs free sockets; keep the test alive until it sees the close
    const closed = once(idle, 'close');
    await sleep(150);
    const started = performance.now();
    void ld.shutdown('test');
    await closed;
    assert.equal(await exited, 0);
    assert.ok(performance.now() - started < 100, `took ${performance.now() - started} ms`);
    agent.destroy();
  });

  it('a recently used idle socket stays open, and its next request is answered with Connection: close', async () => {
    const { ld, exited, port } = await drainable();
    const agent = new Agent({ keepAlive: true });
    await get(port, '/', agent);
    void ld.shutdown('test');
    await sleep(100);
    const reply = await get(port, '/', agent);
    assert.deepEqual([reply.status, reply.headers.connection], [200, 'close']);
    assert.equal(await exited, 0);
    agent.destroy();
  });

  it('a recently used socket that nobody reuses is closed when its idle grace runs out', async () => {
    const { ld, exited, port } = await drainable({ idleGraceMs: 200 });
    const agent = new Agent({ keepAlive: true });
    await get(port, '/', agent);
    const started = performance.now();
    void ld.shutdown('test');
    assert.equal(await exited, 0);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 190 && elapsed < 300, `took ${elapsed} ms`);
    agent.destroy();
  });

  it('a socket that connected and never sent a request does not hang the shutdown', async () => {
    const { ld, exited, port } = await drainable({ idleGraceMs: 50 });
    const silent = connect(port, '127.0.0.1');
    await once(silent, 'connect');
    await sleep(80);
    assert.equal(ld.state().connections, 1);
    const started = performance.now();
    void ld.shutdown('test');
    assert.equal(await exited, 0);
    assert.ok(performance.now() - started < 100);
    silent.destroy();
  });

  it('a request still arriving (partly sent) when the drain starts is served, with Connection: close', async () => {
    const { ld, exited, port } = await drainable();
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /?delay=10 HTTP/1.1\r\nHost: x\r\n');
    await sleep(30);
    void ld.shutdown('test');
    await sleep(30);
    let response = '';
    socket.on('data', (chunk) => (response += chunk));
    socket.write('\r\n');
    await once(socket, 'close');
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(response, /\r\nConnection: close\r\n/i);
    assert.match(response, /done$/);
    assert.equal(await exited, 0);
  });

  it('a request sent on an idle keep-alive socket in the same instant as the shutdown is served, not reset', async () => {
    const { ld, exited, port } = await drainable();
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let response = '';
    socket.on('data', (chunk) => (response += chunk));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50); // first response done: the socket is idle, kept alive
    assert.match(response, /^HTTP\/1\.1 200 OK/);
    response = '';
    // The next request leaves the client in the same tick as the shutdown starts: its bytes are
    // unread on the server when the drain begins. Closing the socket then would reset it.
    socket.write('GET /?delay=0 HTTP/1.1\r\nHost: x\r\n\r\n');
    void ld.shutdown('test');
    const closed = once(socket, 'close');
    const errors: unknown[] = [];
    socket.on('error', (e) => errors.push(e));
    await closed;
    assert.deepEqual(errors, []);
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(response, /\r\nConnection: close\r\n/i);
    assert.equal(await exited, 0);
  });

  it('new connections are refused once the listener has closed', async () => {
    const { ld, exited, port, arrived } = await drainable();
    const served = arrived();
    const inFlight = get(port, '/?delay=300');
    await served;
    void ld.shutdown('test');
    await sleep(30);
    const error = await get(port, '/').then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    assert.equal(error?.code, 'ECONNREFUSED');
    assert.equal((await inFlight).status, 200);
    assert.equal(await exited, 0);
  });

  it('a streaming response whose headers were sent finishes its body, then its socket closes', async () => {
    const { ld, exited, port, arrived } = await drainable();
    const agent = new Agent({ keepAlive: true });
    const inFlight = arrived();
    const reply = get(port, '/?chunks=5&every=60', agent);
    await inFlight;
    await sleep(90); // the headers and a first chunk are out
    void ld.shutdown('test');
    const { status, body } = await reply;
    assert.equal(status, 200);
    assert.equal(body, 'chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n');
    assert.equal(await exited, 0);
    agent.destroy();
  });

  it('a pipelined request behind one in flight is left for the client to retry: the connection closes after the first (RFC 9112 9.3.2)', async () => {
    const { ld, exited, port } = await drainable();
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let response = '';
    socket.on('data', (chunk) => (response += chunk));
    // Two pipelined requests: the first is in flight at shutdown, the second arrives during the drain.
    socket.write('GET /?delay=150 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(30);
    void ld.shutdown('test');
    socket.write('GET /?delay=0 HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'close');
    const statuses = [...response.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200']);
    assert.match(response, /Connection: close/i);
    assert.equal(await exited, 0);
  });

  it('the deadline cuts what is left and exits 1 within 100 ms of it', async () => {
    const { ld, exited, port, arrived } = await drainable({ timeoutMs: 400 });
    const inFlight = arrived();
    const hung = get(port, '/?never').catch((e: NodeJS.ErrnoException) => e.code);
    await inFlight;
    const started = performance.now();
    void ld.shutdown('test');
    const timeouts: unknown[] = [];
    ld.on('timeout', (event) => timeouts.push(event.stage));
    assert.equal(await exited, 1);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 390 && elapsed < 500, `exited after ${elapsed} ms`);
    assert.equal(await hung, 'ECONNRESET');
    assert.deepEqual(timeouts, ['drain']);
  });

  it('drainDelayMs keeps serving normally while readiness already fails', async () => {
    const { ld, exited, port } = await drainable({ drainDelayMs: 200 });
    void ld.shutdown('test');
    await sleep(50);
    assert.equal(ld.phase, 'delaying');
    assert.equal((await ld.readinessReport()).status, 503);
    const agent = new Agent({ keepAlive: true });
    const reply = await get(port, '/', agent);
    assert.deepEqual([reply.status, reply.headers.connection], [200, 'keep-alive']);
    assert.equal(await exited, 0);
    agent.destroy();
  });

  it('shutdown is idempotent: a second call returns the same exit', async () => {
    const { ld, exited } = await drainable();
    const first = ld.shutdown('one');
    const second = ld.shutdown('two');
    assert.equal(first, second);
    assert.equal(await first, 0);
    assert.equal(await exited, 0);
  });
});
