import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord, RouteEntry } from '../recording/records.js';
import { attributeRequests } from './attribution.js';
import { type ReplicaLifecycle, replicaLifecycles } from './lifecycle.js';

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
    const [joined] = attributeRequests([request({})], { routes: [route({})] });
    assert.equal(joined?.replica, 'app-1');
  });

  it('turns the reset of a connection the backend refused into refused', () => {
    const [joined] = attributeRequests([request({ status: undefined, errorClass: 'reset' })], {
      routes: [route({ outcome: 'refused' })],
    });
    assert.equal(joined?.errorClass, 'refused');
    assert.equal(joined?.replica, 'app-1');
  });

  it('tells apart connections to two nodes that share a local port', () => {
    const [joined] = attributeRequests([request({ node: 'node-2' })], {
      routes: [route({ pod: 'a' }), route({ node: 'node-2', pod: 'b' })],
    });
    assert.equal(joined?.replica, 'b');
  });

  it('uses the newest route on a reused port, not an older connection', () => {
    const [joined] = attributeRequests([request({ endedAt: 510 })], {
      routes: [
        route({ at: 50, pod: 'old' }),
        route({ at: 500, pod: 'new' }),
        route({ at: 900, pod: 'later' }),
      ],
    });
    assert.equal(joined?.replica, 'new');
  });
});

describe('time attribution, where no route explains a failure', () => {
  const lifecycle = (pod: string, terminatingAt: number, exitAt: number): ReplicaLifecycle[] =>
    replicaLifecycles([
      { at: terminatingAt, type: 'terminating', pod },
      { at: terminatingAt, type: 'sigterm', pod },
      { at: exitAt, type: 'exit', pod, exitCode: 0 },
    ]);

  it('pins a failure no route explains to the pod terminating then, and a routed one to its route', () => {
    const failure = request({ status: undefined, errorClass: 'reset', localPort: 40001 });
    const [routed, timed] = attributeRequests(
      [request({ status: undefined, errorClass: 'reset' }), failure],
      { routes: [route({})], replicas: lifecycle('app-2', 50, 105) },
    );
    assert.equal(routed?.replica, 'app-1');
    assert.equal(timed?.replica, 'app-2');
  });

  it('leaves a success and a failure outside every termination unpinned', () => {
    const [ok, early] = attributeRequests(
      [
        request({ localPort: undefined }),
        request({ status: undefined, errorClass: 'reset', localPort: undefined }),
      ],
      { replicas: lifecycle('app-2', 500, 600) },
    );
    assert.equal(ok?.replica, undefined);
    assert.equal(early?.replica, undefined);
  });
});
