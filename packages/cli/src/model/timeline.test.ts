import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminationBudget } from './budget.js';
import { parseKubeVersion } from './kube-version.js';
import { type PreStopHook, preStopEffect } from './prestop.js';
import { timeline } from './timeline.js';

function events(
  hook: PreStopHook,
  version: string,
  extra: { waitsForTurn?: boolean; waitUntil?: number } = {},
) {
  const budget = terminationBudget({
    specGraceSeconds: 60,
    preStop: hook,
    preStopEffect: preStopEffect(hook, parseKubeVersion(version) ?? assert.fail(version)),
    drainSeconds: 20,
    drainSource: 'flag',
    bufferSeconds: 10,
    ...extra,
  });
  return timeline(budget).map((e) => `${e.at}:${e.kind}`);
}

describe('timeline', () => {
  it('runs Track B and the preStop from t=0, then SIGTERM, drain, exit and SIGKILL in time order', () => {
    assert.deepEqual(events({ kind: 'sleep', seconds: 15 }, '1.31'), [
      '0:terminating',
      '0:prestop-start',
      '15:sigterm',
      '15:drain-start',
      '35:exit',
      '60:sigkill',
    ]);
  });

  it('a native sleep on 1.29 (gate off) never starts: SIGTERM at t=0', () => {
    assert.deepEqual(events({ kind: 'sleep', seconds: 15 }, '1.29').slice(0, 3), [
      '0:terminating',
      '0:sigterm',
      '0:drain-start',
    ]);
  });

  it('a sidecar ends its preStop, then waits for the main containers before SIGTERM', () => {
    assert.deepEqual(
      events({ kind: 'sleep', seconds: 5 }, '1.33', { waitsForTurn: true, waitUntil: 40 }).slice(0, 4),
      ['0:terminating', '0:prestop-start', '5:prestop-end', '40:sigterm'],
    );
  });
});
