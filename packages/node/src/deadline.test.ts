import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineConfigError, shutdownDeadline } from './deadline.js';

describe('shutdownDeadline', () => {
  it('takes the window between SIGTERM and SIGKILL from the pod budget: grace 60 - preStop 15 - margin 2 = 43 s', () => {
    const deadline = shutdownDeadline({
      env: { TERMINATION_GRACE_PERIOD_SECONDS: '60', PRESTOP_SECONDS: '15' },
    });
    assert.equal(deadline.ms, 43_000);
    assert.equal(deadline.source, 'environment');
  });

  it('uses the pod default of 30 s when the manifest passes no grace period', () => {
    const deadline = shutdownDeadline({ env: {} });
    assert.equal(deadline.ms, 28_000);
    assert.equal(deadline.source, 'default');
  });

  it('keeps the kubelet 2 s floor when preStop eats the whole grace period, and halves the margin', () => {
    const deadline = shutdownDeadline({
      env: { TERMINATION_GRACE_PERIOD_SECONDS: '30', PRESTOP_SECONDS: '30' },
    });
    assert.equal(deadline.ms, 1_000);
  });

  it('prefers an explicit timeout over the environment', () => {
    const deadline = shutdownDeadline({ timeoutMs: 5000, env: { TERMINATION_GRACE_PERIOD_SECONDS: '60' } });
    assert.equal(deadline.ms, 5000);
    assert.equal(deadline.source, 'option');
  });

  it('rejects a grace period that is not a number, naming the variable', () => {
    assert.throws(
      () => shutdownDeadline({ env: { TERMINATION_GRACE_PERIOD_SECONDS: '60s' } }),
      (error: unknown) =>
        error instanceof DeadlineConfigError && /TERMINATION_GRACE_PERIOD_SECONDS="60s"/.test(error.message),
    );
  });
});
