import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BudgetInput, DEFAULT_BUFFER_SECONDS, stopSchedule, terminationBudget } from './budget.js';
import { parseKubeVersion } from './kube-version.js';
import { classifyPreStop, type PreStopHook, preStopEffect } from './prestop.js';

const v130 = parseKubeVersion('1.30') ?? assert.fail('version');

function budget(
  grace: number | undefined,
  hook: PreStopHook,
  drain: number | undefined,
  extra: Partial<BudgetInput> = {},
) {
  return terminationBudget({
    specGraceSeconds: grace,
    preStop: hook,
    preStopEffect: preStopEffect(hook, v130, { specGraceSeconds: grace }),
    drainSeconds: drain,
    drainSource: drain === undefined ? 'unknown' : 'flag',
    bufferSeconds: DEFAULT_BUFFER_SECONDS,
    ...extra,
  });
}
const sleep = (seconds: number): PreStopHook => ({ kind: 'sleep', seconds });

describe('termination budget (kubelet killContainer arithmetic)', () => {
  it("guide's complete configuration: preStop 15, grace 60, drain 25 gives SIGTERM 15, exit 40, SIGKILL 60, slack 20", () => {
    const b = budget(60, sleep(15), 25);
    assert.equal(b.sigtermAt, 15);
    assert.equal(b.exitAt, 40);
    assert.equal(b.sigkillAt, 60);
    assert.equal(b.slackSeconds, 20);
    assert.equal(b.minimumGraceSeconds, 50);
    assert.equal(b.verdict, 'ok');
  });

  it('guide formula: preStop 15 + drain 20 + buffer 10 = minimum grace 45', () => {
    assert.equal(budget(45, sleep(15), 20).minimumGraceSeconds, 45);
  });

  it('default grace 30 s (pod spec default) with preStop 15 and drain 20: SIGKILL at 30, 5 s before the drain ends', () => {
    const b = budget(undefined, sleep(15), 20);
    assert.equal(b.graceSeconds, 30);
    assert.equal(b.graceSource, 'default');
    assert.equal(b.sigkillAt, 30);
    assert.equal(b.slackSeconds, -5);
    assert.equal(b.verdict, 'cut');
  });

  it('grace is one shared budget: the hook gets at most the grace period, then the 2 s floor (minimumGracePeriodInSeconds)', () => {
    // Only an exec hook can outlast the grace period: the API server rejects a longer native sleep.
    assert.equal(budget(30, sleep(45), 10).verdict, 'invalid');
    const b = budget(
      30,
      classifyPreStop({ lifecycle: { preStop: { exec: { command: ['sleep', '45'] } } } }),
      10,
    );
    assert.equal(b.preStopCut, true);
    assert.equal(b.sigtermAt, 30);
    assert.equal(b.sigkillAt, 32);
    assert.equal(b.floorApplied, true);
  });

  it('sleep == grace validates (only > is rejected) and leaves the app only the 2 s floor', () => {
    const b = budget(30, sleep(30), undefined);
    assert.deepEqual([b.sigtermAt, b.sigkillAt, b.drainWindowSeconds, b.floorApplied], [30, 32, 2, true]);
  });

  it('1 s left after preStop is raised to the 2 s floor: SIGKILL at 31, not 30', () => {
    const b = budget(30, sleep(29), undefined);
    assert.deepEqual([b.sigtermAt, b.sigkillAt], [29, 31]);
  });

  it('preStop time is subtracted in whole seconds (int64(elapsed.Seconds())): 15.9 s of hook pushes SIGKILL to 60.9', () => {
    const hook = classifyPreStop({ lifecycle: { preStop: { exec: { command: ['sleep', '15.9'] } } } });
    const b = budget(60, hook, undefined);
    assert.equal(b.sigtermAt, 15.9);
    assert.equal(b.sigkillAt, 60.9);
  });

  it('no preStop: SIGTERM at t=0 and SIGKILL at the grace period', () => {
    const b = budget(45, { kind: 'none' }, 20);
    assert.deepEqual([b.sigtermAt, b.sigkillAt, b.slackSeconds], [0, 45, 25]);
  });

  it('unknown drain is reported as unknown, never guessed, with the window the app has', () => {
    const b = budget(60, sleep(15), undefined);
    assert.equal(b.verdict, 'unknown');
    assert.equal(b.drainSeconds, undefined);
    assert.equal(b.exitAt, undefined);
    assert.equal(b.drainWindowSeconds, 45);
  });

  it('a hook of unknown duration (httpGet) leaves SIGTERM unknown', () => {
    const b = budget(60, { kind: 'httpGet', port: 8080, path: '/drain' }, 20);
    assert.equal(b.sigtermAt, undefined);
    assert.equal(b.verdict, 'unknown');
  });

  it('slack below the buffer is tight, not ok', () => {
    const b = budget(40, sleep(15), 20);
    assert.equal(b.slackSeconds, 5);
    assert.equal(b.verdict, 'tight');
  });

  it('grace 0 deletes at once but the kubelet still supplies 1 s (calculateEffectiveGracePeriod), then the 2 s floor', () => {
    const s = stopSchedule({ specGraceSeconds: 0, hasPreStop: true, preStopSeconds: 10 });
    assert.deepEqual([s.graceSeconds, s.sigtermAt, s.sigkillAt, s.floorApplied], [1, 1, 3, true]);
  });

  it('a native sidecar waits for the main containers (terminationOrdering) before its SIGTERM', () => {
    const s = stopSchedule({
      specGraceSeconds: 60,
      hasPreStop: true,
      preStopSeconds: 5,
      waitsForTurn: true,
      waitUntil: 40,
    });
    assert.deepEqual([s.sigtermAt, s.sigkillAt], [40, 60]);
  });

  it('a sidecar whose main containers outlast the grace period gets the 2 s floor', () => {
    const s = stopSchedule({
      specGraceSeconds: 30,
      hasPreStop: false,
      preStopSeconds: 0,
      waitsForTurn: true,
      waitUntil: 50,
    });
    assert.deepEqual([s.sigtermAt, s.sigkillAt, s.floorApplied], [30, 32, true]);
  });

  it('a rejected hook (the API server refuses the pod) is invalid', () => {
    const hook: PreStopHook = { kind: 'sleep', seconds: 10 };
    const b = terminationBudget({
      specGraceSeconds: 60,
      preStop: hook,
      preStopEffect: preStopEffect(hook, parseKubeVersion('1.28') ?? assert.fail('version')),
      drainSeconds: 20,
      drainSource: 'flag',
      bufferSeconds: 10,
    });
    assert.equal(b.verdict, 'invalid');
  });
});
