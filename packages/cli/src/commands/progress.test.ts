import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine } from './progress.js';

describe('live progress', () => {
  it('shows the rate since the last line, outcomes by class and the rollout state', () => {
    const load = { sent: 400, ok: 395, failed: 5, inFlight: 2, dropped: 0, byClass: { refused: 5 } };
    const pods = [
      { name: 'a', ready: true, terminating: false },
      { name: 'b', ready: true, terminating: true },
    ];
    const previous = {
      at: 1000,
      load: { ...load, sent: 200, ok: 200, failed: 0, byClass: {} },
      phase: 'baseline',
      pods,
    };
    assert.equal(
      progressLine({ at: 2000, load, phase: 'rollout 1/1', pods }, previous),
      '2.0s rollout 1/1: 200 req/s, 395 ok, 5 failed (refused 5); pods 1 ready, 1 terminating',
    );
  });
});
