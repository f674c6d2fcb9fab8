import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialProbeState, observeProbe } from './probe-state.js';

describe('probe thresholds', () => {
  it('starts readiness as failure and liveness as success', () => {
    assert.equal(initialProbeState('readiness').result, 'failure');
    assert.equal(initialProbeState('liveness').result, 'success');
    assert.equal(initialProbeState('startup').result, 'failure');
  });

  it('flips only after failureThreshold failures in a row', () => {
    const thresholds = { successThreshold: 1, failureThreshold: 3 };
    let state = observeProbe(initialProbeState('readiness'), true, thresholds);
    assert.equal(state.result, 'success');
    state = observeProbe(state, false, thresholds);
    state = observeProbe(state, false, thresholds);
    assert.equal(state.result, 'success');
    state = observeProbe(state, true, thresholds);
    state = observeProbe(state, false, thresholds);
    state = observeProbe(state, false, thresholds);
    assert.equal(state.result, 'success', 'the run restarted after the success');
    state = observeProbe(state, false, thresholds);
    assert.equal(state.result, 'failure');
  });

  it('needs successThreshold successes in a row to become ready', () => {
    const thresholds = { successThreshold: 2, failureThreshold: 1 };
    let state = observeProbe(initialProbeState('readiness'), true, thresholds);
    assert.equal(state.result, 'failure');
    state = observeProbe(state, true, thresholds);
    assert.equal(state.result, 'success');
  });
});
