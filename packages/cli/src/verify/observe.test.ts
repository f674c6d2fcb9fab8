import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LifecycleEvent } from '../recording/records.js';
import { attributeRequests } from '../report/attribution.js';
import { causeOf } from '../report/diagnose.js';
import { replicaLifecycles } from '../report/lifecycle.js';
import { measure } from '../report/measure.js';
import { estimateSignals, kubeletEvent, podEvents, sliceEvents } from './observe.js';

const pod = (fields: {
  deletion?: boolean;
  ready?: boolean;
  terminated?: number;
  restarts?: number;
  reason?: string;
}) => ({
  metadata: {
    name: 'web-1',
    ...(fields.deletion ? { deletionTimestamp: '2026-11-24T10:00:30Z', deletionGracePeriodSeconds: 30 } : {}),
  },
  status: {
    conditions: [{ type: 'Ready', status: fields.ready ? 'True' : 'False' }],
    containerStatuses: [
      {
        name: 'web',
        restartCount: fields.restarts ?? 0,
        state:
          fields.terminated === undefined
            ? { running: {} }
            : {
                terminated: {
                  exitCode: fields.terminated,
                  ...(fields.reason ? { reason: fields.reason } : {}),
                },
              },
      },
    ],
  },
});

describe('what the API shows, as lifecycle events', () => {
  it('reads readiness, deletion, exits and restarts from successive pod states', () => {
    assert.deepEqual(podEvents('ADDED', pod({}), undefined), [{ type: 'pod-created', pod: 'web-1' }]);
    assert.deepEqual(podEvents('MODIFIED', pod({ ready: true }), pod({})), [{ type: 'ready', pod: 'web-1' }]);
    assert.deepEqual(podEvents('MODIFIED', pod({ ready: true, deletion: true }), pod({ ready: true })), [
      { type: 'terminating', pod: 'web-1', detail: 'grace period 30 s' },
    ]);
    assert.deepEqual(podEvents('MODIFIED', pod({ restarts: 1 }), pod({})), [
      { type: 'container-restart', pod: 'web-1', detail: 'web: restart 1' },
    ]);
  });

  it('reads exit 137 on a terminating pod as the grace-period SIGKILL, but not an OOM kill', () => {
    const killed = podEvents('MODIFIED', pod({ deletion: true, terminated: 137 }), pod({ deletion: true }));
    assert.deepEqual(
      killed.map((e) => e.type),
      ['sigkill', 'exit'],
    );
    assert.equal(killed[1]?.signal, 'SIGKILL');
    const oom = podEvents(
      'MODIFIED',
      pod({ deletion: true, terminated: 137, reason: 'OOMKilled' }),
      pod({ deletion: true }),
    );
    assert.deepEqual(
      oom.map((e) => e.type),
      ['exit'],
    );
  });

  it('reads endpoint readiness per Service; a removed endpoint counts as removed', () => {
    const slice = (conditions: object[]) => ({
      metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: conditions.map((c, i) => ({ targetRef: { name: `p${i}` }, conditions: c })),
    });
    const before = slice([{ ready: true }, {}]);
    assert.deepEqual(sliceEvents('MODIFIED', slice([{ ready: false, terminating: true }, {}]), before), [
      { type: 'endpoint-removed', pod: 'p0', node: 'service/web' },
    ]);
    assert.deepEqual(sliceEvents('MODIFIED', slice([{ ready: true }]), before), [
      { type: 'endpoint-removed', pod: 'p1', node: 'service/web' },
    ]);
  });

  it('keeps FailedPreStopHook and liveness failures, and nothing else', () => {
    const event = (reason: string, message: string) => ({
      involvedObject: { kind: 'Pod', name: 'web-1' },
      reason,
      message,
    });
    assert.deepEqual(kubeletEvent(event('FailedPreStopHook', 'exec: sleep: not found')), {
      type: 'failed-prestop-hook',
      pod: 'web-1',
      detail: 'exec: sleep: not found',
    });
    assert.equal(kubeletEvent(event('Killing', 'Stopping container web')), undefined);
    assert.equal(kubeletEvent(event('Unhealthy', 'Readiness probe failed')), undefined);
  });

  it('estimates SIGTERM at deletion + preStop sleep, earlier on a failed hook, never after the exit, none for an exit well before', () => {
    const events: LifecycleEvent[] = [
      { at: 1000, type: 'terminating', pod: 'a' },
      { at: 1000, type: 'terminating', pod: 'b' },
      { at: 1200, type: 'failed-prestop-hook', pod: 'b' },
      { at: 1000, type: 'terminating', pod: 'c' },
      { at: 2000, type: 'exit', pod: 'c', exitCode: 0 },
      // The deletion reached verify 200 ms after the kubelet acted on it: the exit caps the estimate.
      { at: 1000, type: 'terminating', pod: 'd' },
      { at: 5800, type: 'exit', pod: 'd', exitCode: 0 },
    ];
    const estimated = estimateSignals(events, 5);
    const sigterm = (name: string) => estimated.find((e) => e.type === 'sigterm' && e.pod === name)?.at;
    assert.equal(sigterm('a'), 6000);
    assert.equal(sigterm('b'), 1200);
    assert.equal(sigterm('c'), undefined);
    assert.equal(sigterm('d'), 5800);
    assert.deepEqual(estimateSignals(events, undefined), events, 'unknown hooks: no guess');
  });
});

describe('verify measurements', () => {
  const events: LifecycleEvent[] = [
    { at: 1000, type: 'terminating', pod: 'a' },
    { at: 1400, type: 'endpoint-removed', pod: 'a', node: 'service/web' },
    { at: 1000, type: 'sigterm', pod: 'a' },
    { at: 1010, type: 'exit', pod: 'a', exitCode: 0 },
  ];
  const failure = (startedAt: number) => ({
    id: startedAt,
    intendedAt: startedAt,
    startedAt,
    endedAt: startedAt + 5,
    status: 502,
    errorClass: 'proxy-502' as const,
    plane: 'url',
    connection: 1,
    reused: false,
    localPort: undefined,
  });

  it('pins unattributed failures to the one pod terminating then, and measures removal and the first failure', () => {
    const replicas = replicaLifecycles(events);
    const requests = attributeRequests([failure(1500), failure(2500)], { replicas });
    assert.deepEqual(
      requests.map((r) => r.replica),
      ['a', undefined],
    );
    const measured = measure(replicas, requests, 0);
    assert.deepEqual(measured.pods, [
      { pod: 'a', endpointRemovalSeconds: 0.4, firstFailureAfterSigtermSeconds: 0.5 },
    ]);
    assert.equal(measured.lastFailureAfterDeletionSeconds, 0.5);
    // ceil(max(0.4, 0.5) + 2 s margin) = 3
    assert.equal(measured.recommendedPreStopSeconds, 3);
  });

  it("in a fast rollout, pins a failure in two pods' windows to the one that stopped last before it, and calls a connect timeout to a stopped pod a stale endpoint", () => {
    // a exited at 1010 (seen until 2010); b was deleted at 1900 and stopped at once.
    const overlapping: LifecycleEvent[] = [
      ...events,
      { at: 1900, type: 'terminating', pod: 'b' },
      { at: 1900, type: 'sigterm', pod: 'b' },
      { at: 1950, type: 'exit', pod: 'b', exitCode: 0 },
    ];
    const replicas = replicaLifecycles(overlapping);
    const refused = { ...failure(1920), errorClass: 'refused' as const, status: undefined };
    const connectTimeout = {
      ...failure(1930),
      errorClass: 'timeout' as const,
      status: undefined,
      endedAt: 11_930,
      error: 'UND_ERR_CONNECT_TIMEOUT',
    };
    const requests = attributeRequests([refused, connectTimeout], { replicas });
    assert.deepEqual(
      requests.map((r) => r.replica),
      ['b', 'b'],
    );
    const byName = new Map(replicas.map((r) => [r.name, r]));
    assert.deepEqual(
      requests.map((r) => causeOf(r, byName)),
      ['stale-endpoint', 'stale-endpoint'],
    );
    const readTimeout = { ...connectTimeout, error: 'UND_ERR_HEADERS_TIMEOUT' };
    assert.equal(causeOf(readTimeout, byName), 'timeout');
  });

  it('counts a removal the EndpointSlice watch delivered before the deletion as at the deletion, and an older one not at all', () => {
    const crossed: LifecycleEvent[] = [
      // The readiness blip long before is not this deletion's doing.
      { at: 2000, type: 'endpoint-removed', pod: 'a', node: 'service/old' },
      { at: 4000, type: 'endpoint-added', pod: 'a', node: 'service/old' },
      { at: 9700, type: 'endpoint-removed', pod: 'a', node: 'service/web' },
      { at: 10_000, type: 'terminating', pod: 'a' },
      { at: 10_050, type: 'exit', pod: 'a', exitCode: 0 },
    ];
    const [replica] = replicaLifecycles(crossed);
    assert.deepEqual(replica?.endpointRemovedAt, { 'service/web': 10_000 });
    assert.deepEqual(measure(replicaLifecycles(crossed), [], undefined).pods[0]?.endpointRemovalSeconds, 0);
  });

  it('never recommends less than the preStop that already works', () => {
    const measured = measure(replicaLifecycles(events), [], 15);
    assert.equal(measured.recommendedPreStopSeconds, 15);
    assert.match(measured.basis, /already covers it/);
  });
});
