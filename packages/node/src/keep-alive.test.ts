import assert from 'node:assert/strict';
import { Agent, createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { describe, it } from 'node:test';
import { DeadlineConfigError } from './deadline.js';
import { get, listen, testLameduck } from './test-support.js';

describe('upstreamIdleTimeoutMs (keep-alive ordering)', () => {
  it('keepAliveTimeout becomes the upstream idle timeout + 1 s and headersTimeout goes above it, on servers passed or attached later', () => {
    const passed = createServer();
    const later = createServer();
    const { ld } = testLameduck({ servers: [passed], upstreamIdleTimeoutMs: 60_000 });
    ld.attach(later);
    for (const server of [passed, later]) {
      assert.deepEqual([server.keepAliveTimeout, server.headersTimeout], [61_000, 62_000]);
    }
  });

  it('raises and never lowers: longer timeouts the app set itself stay', () => {
    const server = createServer();
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 300_000;
    testLameduck({ servers: [server], upstreamIdleTimeoutMs: 60_000 });
    assert.deepEqual([server.keepAliveTimeout, server.headersTimeout], [120_000, 300_000]);

    const short = createServer();
    testLameduck({ servers: [short], upstreamIdleTimeoutMs: 1_000 });
    // keepAliveTimeout goes up from Node's 5 s default only when the upstream needs it.
    assert.deepEqual([short.keepAliveTimeout, short.headersTimeout], [5_000, 60_000]);
  });

  it("without the option Node's defaults stay (5 s keep-alive)", () => {
    const server = createServer();
    testLameduck({ servers: [server] });
    assert.deepEqual([server.keepAliveTimeout, server.headersTimeout], [5_000, 60_000]);
  });

  it('the client is told the new idle timeout in the Keep-Alive header', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    testLameduck({ servers: [server], upstreamIdleTimeoutMs: 600_000 });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await get(port, '/', agent)).headers['keep-alive'], 'timeout=601');
    } finally {
      agent.destroy();
      server.close();
    }
  });

  it('an http2 server (sessions, no keep-alive sockets) is attached unchanged', () => {
    const server = createHttp2Server();
    testLameduck({ servers: [server], upstreamIdleTimeoutMs: 60_000 });
    assert.equal((server as unknown as { keepAliveTimeout?: number }).keepAliveTimeout, undefined);
  });

  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 86_400_001]) {
    it(`upstreamIdleTimeoutMs: ${bad} throws at construction, naming the option`, () => {
      assert.throws(
        () => testLameduck({ upstreamIdleTimeoutMs: bad }),
        (error: Error) =>
          error instanceof DeadlineConfigError &&
          error.message.includes('upstreamIdleTimeoutMs') &&
          error.message.includes(String(bad)),
      );
    });
  }
});
