import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord } from '../recording/records.js';
import { attributeRoutes } from './attribution.js';
import type { RouteEntry } from './kube-proxy.js';

const request = (fields: Partial<RequestRecord>): RequestRecord => ({
  id: 1,
  intendedAt: 100,
  startedAt: 100,
  endedAt: 110,
  status: 200,
  errorClass: undefined,
  plane: 'kube-proxy',
  connection: 1,
  reused: false,
  localPort: 40000,
  node: 'node-1',
  ...fields,
});

const route = (fields: Partial<RouteEntry>): RouteEntry => ({
  at: 101,
  clientPort: 40000,
  node: 'node-1',
  pod: 'app-1',
  outcome: 'connected',
  ...fields,
});

describe('route attribution', () => {
  it('names the replica a connection was routed to', () => {
    const [joined] = attributeRoutes([request({})], [route({})]);
    assert.equal(joined?.replica, 'app-1');
  });

  it('turns the reset of a connection the backend refused into refused', () => {
    const [joined] = attributeRoutes(
      [request({ status: undefined, errorClass: 'reset' })],
      [route({ outcome: 'refused' })],
    );
    assert.equal(joined?.errorClass, 'refused');
    assert.equal(joined?.replica, 'app-1');
  });

  it('tells apart connections to two nodes that share a local port', () => {
    const [joined] = attributeRoutes(
      [request({ node: 'node-2' })],
      [route({ pod: 'a' }), route({ node: 'node-2', pod: 'b' })],
    );
    assert.equal(joined?.replica, 'b');
  });

  it('uses the newest route on a reused port, not an older connection', () => {
    const [joined] = attributeRoutes(
      [request({ endedAt: 510 })],
      [route({ at: 50, pod: 'old' }), route({ at: 500, pod: 'new' }), route({ at: 900, pod: 'later' })],
    );
    assert.equal(joined?.replica, 'new');
  });
});
