import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedEndpoints, endpointOf, routableEndpoints } from './endpoints.js';

const at = (pod: string, podReady: boolean, terminating: boolean) =>
  endpointOf({ pod, host: '127.0.0.1', port: 1, podReady, terminating });

describe('EndpointSlice conditions', () => {
  it('makes a terminating pod not ready but still serving while its readiness passes', () => {
    assert.deepEqual(
      { ...at('a', true, true) },
      { pod: 'a', host: '127.0.0.1', port: 1, ready: false, serving: true, terminating: true },
    );
  });

  it('keeps ready true during termination with publishNotReadyAddresses', () => {
    assert.equal(
      endpointOf({ pod: 'a', host: 'h', port: 1, podReady: false, terminating: true }, true).ready,
      true,
    );
  });

  it('lets kube-proxy fall back to serving-terminating endpoints only when none is ready (KEP-1669)', () => {
    const draining = [at('a', true, true), at('b', false, true)];
    assert.deepEqual(
      routableEndpoints(draining, 'kube-proxy').map((e) => e.pod),
      ['a'],
    );
    assert.deepEqual(
      routableEndpoints([...draining, at('c', true, false)], 'kube-proxy').map((e) => e.pod),
      ['c'],
    );
  });

  it('never lets the ingress use a terminating endpoint', () => {
    assert.deepEqual(routableEndpoints([at('a', true, true)], 'ingress'), []);
  });

  it('lists the pods whose conditions changed', () => {
    assert.deepEqual(
      changedEndpoints(
        [at('a', true, false), at('b', true, false)],
        [at('a', true, true), at('c', false, false)],
      ),
      ['a', 'b', 'c'],
    );
  });
});
