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

describe('a bad setting fails at start-up, never at SIGTERM', () => {
  const quiet = { signals: false as const, pid1Check: false, logger: 'silent' as const };

  it('rejects NaN, negative and "60s" when the instance is made, naming the setting', async () => {
    const { lameduck } = await import('./lameduck.js');
    const cases: [Parameters<typeof lameduck>[0], RegExp][] = [
      [{ timeoutMs: Number.NaN }, /timeout must be a positive number of milliseconds, got NaN/],
      [{ marginMs: Number.NaN }, /marginMs must be a number of milliseconds, 0 or more, got NaN/],
      [{ marginMs: -5000 }, /marginMs must be a number of milliseconds, 0 or more, got -5000/],
      [
        { env: { TERMINATION_GRACE_PERIOD_SECONDS: '60s' } },
        /TERMINATION_GRACE_PERIOD_SECONDS="60s" is not a number of seconds; set it to a plain number such as "60"/,
      ],
      [{ drainDelayMs: Number.NaN }, /drainDelayMs must be a number of milliseconds/],
      [{ idleGraceMs: -1 }, /idleGraceMs must be a number of milliseconds/],
      [{ hookTimeoutMs: Number.POSITIVE_INFINITY }, /hookTimeoutMs must be a number of milliseconds/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => lameduck({ ...quiet, ...options }),
        (error: Error) => error instanceof DeadlineConfigError && message.test(error.message),
        JSON.stringify(options),
      );
    }
    const ld = lameduck({ ...quiet, env: {} });
    assert.throws(
      () => ld.onShutdown('db', () => {}, { timeoutMs: Number.NaN }),
      /onShutdown\("db"\) timeoutMs must be/,
    );
  });

  it('always lands the deadline before SIGKILL, over the whole option space (property test)', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const samples = [Number.NaN, -1, 0, 0.5, 1, 2, 5, 29.5, 30, 60, 600, 1e9, Number.POSITIVE_INFINITY];
    const pick = () => samples[Math.floor(random() * samples.length)] as number;
    for (let i = 0; i < 5000; i++) {
      const grace = pick();
      const preStop = pick();
      const marginMs = random() < 0.5 ? undefined : pick() * 1000;
      const env = { TERMINATION_GRACE_PERIOD_SECONDS: String(grace), PRESTOP_SECONDS: String(preStop) };
      let deadline: ReturnType<typeof shutdownDeadline> | undefined;
      try {
        deadline = shutdownDeadline({ env, marginMs });
      } catch (error) {
        assert.ok(error instanceof DeadlineConfigError, String(error));
        continue;
      }
      // The kubelet's window: grace - preStop (never below its 2 s floor).
      const windowMs = Math.max((grace - preStop) * 1000, 2000);
      assert.ok(
        Number.isFinite(deadline.ms) && deadline.ms > 0,
        `${JSON.stringify(env)} margin ${marginMs}: ${deadline.ms}`,
      );
      assert.ok(
        deadline.ms <= windowMs,
        `${JSON.stringify(env)} margin ${marginMs}: ${deadline.ms} > ${windowMs}`,
      );
    }
  });
});
