import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Endpoint, endpointOf } from '../cluster/endpoints.js';
import type { RouteEntry } from '../recording/records.js';
import { freePort } from './cluster.js';
import { DEFAULT_UPSTREAM_KEEPALIVE_MS, Ingress } from './ingress.js';
import { KubeProxyNode } from './kube-proxy.js';
import { EndpointView } from './propagator.js';

const closers: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** A backend that answers with its own name, or misbehaves as asked. */
async function backend(name: string, behaviour: 'ok' | 'reset' | 'hang' = 'ok'): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (behaviour === 'reset') req.socket.resetAndDestroy();
      else if (behaviour === 'ok') res.end(name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

const endpoint = (pod: string, port: number, ready = true, terminating = false): Endpoint =>
  endpointOf({ pod, host: '127.0.0.1', port, podReady: ready || terminating, terminating });

function view(plane: 'kube-proxy' | 'ingress', endpoints: Endpoint[]): EndpointView {
  const created = new EndpointView(plane === 'ingress' ? 'ingress' : 'node-1', plane, () => 0);
  created.endpoints = endpoints;
  return created;
}

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function send(port: number, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path: '/', agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
    request.on('error', reject);
    request.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('ingress data plane', () => {
  let refusing: number;
  before(async () => {
    refusing = await freePort();
  });

  async function ingress(endpoints: Endpoint[], upstreamTimeoutMs = 5000): Promise<number> {
    const proxy = new Ingress(view('ingress', endpoints), {
      upstreamTimeoutMs,
      upstreamKeepAliveMs: DEFAULT_UPSTREAM_KEEPALIVE_MS,
    });
    const port = await proxy.listen();
    closers.push(() => proxy.close());
    return port;
  }

  it('balances per request, round robin, and names the upstream', async () => {
    const port = await ingress([endpoint('a', await backend('a')), endpoint('b', await backend('b'))]);
    const bodies = [];
    for (let i = 0; i < 4; i++) bodies.push((await send(port)).body);
    assert.deepEqual(bodies, ['a', 'b', 'a', 'b']);
  });

  it('retries a refused connection on the next endpoint, for POST too (nothing was sent)', async () => {
    const port = await ingress([endpoint('gone', refusing), endpoint('b', await backend('b'))]);
    const answer = await send(port, 'POST');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-lameduck-upstream'], 'b');
    assert.equal(answer.headers['x-lameduck-tries'], '2');
  });

  it('answers 502 after 3 tries when every endpoint refuses', async () => {
    const port = await ingress([endpoint('gone', refusing)]);
    const answer = await send(port);
    assert.equal(answer.status, 502);
    assert.equal(answer.headers['x-lameduck-proxy-error'], 'refused');
    assert.equal(answer.headers['x-lameduck-tries'], '3');
  });

  it('does not re-send a POST that reached an upstream which then reset, but retries a GET', async () => {
    const resetting = await backend('r', 'reset');
    const good = await backend('g');
    const postPort = await ingress([endpoint('r', resetting), endpoint('g', good)]);
    const post = await send(postPort, 'POST');
    assert.equal(post.status, 502);
    assert.equal(post.headers['x-lameduck-proxy-error'], 'reset');
    assert.equal(post.headers['x-lameduck-tries'], '1', 'given up after the first try');
    const getPort = await ingress([endpoint('r', resetting), endpoint('g', good)]);
    const get = await send(getPort);
    assert.equal(get.status, 200);
    assert.equal(get.body, 'g');
  });

  it('answers 503 with no ready endpoint, never using a terminating one', async () => {
    const port = await ingress([endpoint('draining', await backend('d'), true, true)]);
    const answer = await send(port);
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['x-lameduck-proxy-error'], 'no-endpoints');
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const port = await ingress([endpoint('slow', await backend('s', 'hang'))], 200);
    const answer = await send(port);
    assert.equal(answer.status, 504);
  });
});

describe('kube-proxy data plane', () => {
  async function node(endpoints: Endpoint[], routes: RouteEntry[]): Promise<number> {
    const proxy = new KubeProxyNode(
      view('kube-proxy', endpoints),
      () => 0,
      routes,
      () => 0,
    );
    const port = await proxy.listen();
    closers.push(() => proxy.close());
    return port;
  }

  it('pins a connection to one endpoint and logs the route by client port', async () => {
    const routes: RouteEntry[] = [];
    const port = await node([endpoint('a', await backend('a'))], routes);
    const answer = await send(port);
    assert.equal(answer.body, 'a');
    assert.equal(routes.length, 1);
    assert.equal(routes[0]?.pod, 'a');
    assert.equal(routes[0]?.outcome, 'connected');
  });

  it('falls back to a serving terminating endpoint only when none is ready', async () => {
    const port = await node([endpoint('draining', await backend('d'), true, true)], []);
    assert.equal((await send(port)).body, 'd');
  });

  it('fails the client connection when the pod refuses, and logs it as refused', async () => {
    const routes: RouteEntry[] = [];
    const port = await node([endpoint('gone', await freePort())], routes);
    await assert.rejects(send(port), { code: 'ECONNRESET' });
    assert.equal(routes[0]?.outcome, 'refused');
    assert.equal(routes[0]?.pod, 'gone');
  });

  it('rejects connections when there is no endpoint at all', async () => {
    const routes: RouteEntry[] = [];
    const port = await node([], routes);
    await assert.rejects(send(port), { code: 'ECONNRESET' });
    assert.equal(routes[0]?.outcome, 'no-endpoints');
  });
});
