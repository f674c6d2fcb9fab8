import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeploymentView, deletionOrder, type PodView, reconcile, rolloutComplete } from './rollout.js';

const pod = (name: string, revision: number, extra: Partial<PodView> = {}): PodView => ({
  name,
  revision,
  ready: true,
  readySince: 0,
  terminating: false,
  createdAt: name.charCodeAt(0),
  ...extra,
});

const rolling = (replicas: number, maxSurge: number, maxUnavailable: number): DeploymentView => ({
  replicas,
  revision: 2,
  strategy: { type: 'RollingUpdate', maxSurge, maxUnavailable },
  minReadySeconds: 0,
});

describe('rollout controller', () => {
  it('with 25%/25% on 3 replicas (surge 1, unavailable 0) creates one new pod and deletes nothing yet', () => {
    const pods = [pod('a', 1), pod('b', 1), pod('c', 1)];
    assert.deepEqual(reconcile(rolling(3, 1, 0), pods, 10), [{ kind: 'create', revision: 2, count: 1 }]);
  });

  it('deletes one old pod once the new pod is available', () => {
    const pods = [pod('a', 1), pod('b', 1), pod('c', 1), pod('d', 2, { readySince: 5 })];
    assert.deepEqual(reconcile(rolling(3, 1, 0), pods, 10), [{ kind: 'delete', pods: ['c'] }]);
  });

  it('does not count a terminating pod against maxSurge, so the next new pod starts at once', () => {
    const pods = [
      pod('a', 1),
      pod('b', 1),
      pod('c', 1, { terminating: true }),
      pod('d', 2, { readySince: 5 }),
    ];
    assert.deepEqual(reconcile(rolling(3, 1, 0), pods, 10), [{ kind: 'create', revision: 2, count: 1 }]);
  });

  it('waits for minReadySeconds before a new pod counts as available', () => {
    const pods = [pod('a', 1), pod('b', 1), pod('c', 1), pod('d', 2, { readySince: 9 })];
    const deployment = { ...rolling(3, 1, 0), minReadySeconds: 5 };
    assert.deepEqual(reconcile(deployment, pods, 10), []);
    assert.deepEqual(reconcile(deployment, pods, 14), [{ kind: 'delete', pods: ['c'] }]);
  });

  it('with maxUnavailable 1 deletes an old pod before any new pod is ready', () => {
    const pods = [
      pod('a', 1),
      pod('b', 1),
      pod('c', 1),
      pod('d', 2, { ready: false, readySince: undefined }),
    ];
    assert.deepEqual(reconcile(rolling(3, 1, 1), pods, 10), [{ kind: 'delete', pods: ['c'] }]);
  });

  it('removes unhealthy old pods first', () => {
    const pods = [
      pod('a', 1),
      pod('b', 1, { ready: false, readySince: undefined }),
      pod('c', 1),
      pod('d', 2),
    ];
    assert.deepEqual(reconcile(rolling(3, 1, 0), pods, 10), [{ kind: 'delete', pods: ['b'] }]);
  });

  it('Recreate deletes all old pods, then waits until none is left, terminating ones included', () => {
    const deployment: DeploymentView = { ...rolling(2, 0, 0), strategy: { type: 'Recreate' } };
    assert.deepEqual(reconcile(deployment, [pod('a', 1), pod('b', 1)], 0), [
      { kind: 'delete', pods: ['a', 'b'] },
    ]);
    assert.deepEqual(reconcile(deployment, [pod('a', 1, { terminating: true })], 1), []);
    assert.deepEqual(reconcile(deployment, [], 2), [{ kind: 'create', revision: 2, count: 2 }]);
  });

  it('replaces an evicted pod at once and scales in by the ReplicaSet ranking', () => {
    const deployment = rolling(3, 1, 0);
    const evicted = [pod('a', 2), pod('b', 2), pod('c', 2, { terminating: true })];
    assert.deepEqual(reconcile(deployment, evicted, 0), [{ kind: 'create', revision: 2, count: 1 }]);
    const scaledIn = [
      pod('a', 2, { readySince: 1 }),
      pod('b', 2, { readySince: 7 }),
      pod('c', 2, { readySince: 3 }),
    ];
    assert.deepEqual(reconcile({ ...deployment, replicas: 2 }, scaledIn, 10), [
      { kind: 'delete', pods: ['b'] },
    ]);
  });

  it('orders deletion: not ready, then most recently ready, then newest', () => {
    const order = deletionOrder([
      pod('old', 1, { readySince: 1, createdAt: 0 }),
      pod('fresh', 1, { readySince: 9, createdAt: 5 }),
      pod('starting', 1, { ready: false, readySince: undefined, createdAt: 8 }),
    ]).map((p) => p.name);
    assert.deepEqual(order, ['starting', 'fresh', 'old']);
  });

  it('is complete only with every active pod new and available', () => {
    const deployment = rolling(2, 1, 0);
    assert.equal(
      rolloutComplete(deployment, [pod('a', 2), pod('b', 2), pod('c', 1, { terminating: true })], 5),
      true,
    );
    assert.equal(rolloutComplete(deployment, [pod('a', 2), pod('b', 1)], 5), false);
    assert.equal(
      rolloutComplete(deployment, [pod('a', 2), pod('b', 2, { ready: false, readySince: undefined })], 5),
      false,
    );
  });
});
