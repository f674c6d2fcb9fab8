import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKubeVersion } from './kube-version.js';
import { classifyPreStop, execSleepSeconds, execWait, preStopEffect } from './prestop.js';

const version = (text: string) => parseKubeVersion(text) ?? assert.fail(text);
const withHook = (preStop: unknown) => ({ lifecycle: { preStop } });

describe('preStop classification', () => {
  for (const [command, seconds] of [
    [['sleep', '15'], 15],
    [['/bin/sleep', '15s'], 15],
    [['/usr/bin/sleep', '2.5'], 2.5],
    [['/bin/sh', '-c', 'sleep 15'], 15],
    [['sh', '-c', 'exec sleep 20s;'], 20],
    [['/bin/bash', '-c', 'sleep 1m'], 60],
  ] as const) {
    it(`recognises ${JSON.stringify(command)} as a ${seconds} s sleep`, () => {
      assert.equal(execSleepSeconds(command), seconds);
    });
  }

  for (const command of [
    ['sh', '-c', 'sleep 5 && nginx -s quit'],
    ['/usr/sbin/nginx', '-s', 'quit'],
    ['sleep', 'infinity'],
    ['sh', '-c'],
  ]) {
    it(`does not guess a duration for ${JSON.stringify(command)}`, () => {
      assert.equal(execSleepSeconds(command), undefined);
    });
  }

  it("knows commands that keep the app serving for a set time, then stop it: kong quit --wait, NGINX Gateway Fabric's gateway sleep", () => {
    assert.deepEqual(execWait(['kong', 'quit', '--wait=15']), { seconds: 15, option: 'kong quit --wait' });
    assert.deepEqual(execWait(['/bin/sh', '-c', 'kong quit --wait 20']), {
      seconds: 20,
      option: 'kong quit --wait',
    });
    assert.equal(execWait(['kong', 'quit'])?.seconds, 0, 'no --wait: quits at once');
    assert.deepEqual(execWait(['/usr/bin/gateway', 'sleep', '--duration=10s']), {
      seconds: 10,
      option: 'gateway sleep --duration',
    });
    assert.equal(execWait(['kong', 'reload']), undefined);
    const hook = classifyPreStop(withHook({ exec: { command: ['kong', 'quit', '--wait=15'] } }));
    assert.equal(preStopEffect(hook, version('1.33')).seconds, 15);
  });

  it('an exec hook that is not a lone sleep is exec with unknown duration', () => {
    assert.deepEqual(classifyPreStop(withHook({ exec: { command: ['/usr/sbin/nginx', '-s', 'quit'] } })), {
      kind: 'exec',
      command: ['/usr/sbin/nginx', '-s', 'quit'],
    });
  });

  it('two handlers in one hook are invalid: the API server accepts exactly one', () => {
    const hook = classifyPreStop(withHook({ sleep: { seconds: 5 }, exec: { command: ['sleep', '5'] } }));
    assert.equal(hook.kind, 'invalid');
  });

  it('no lifecycle means no hook', () => {
    assert.deepEqual(classifyPreStop({ name: 'app' }), { kind: 'none' });
  });
});

describe('preStop effect by Kubernetes version (KEP-3960, KEP-4818)', () => {
  const sleep = classifyPreStop(withHook({ sleep: { seconds: 15 } }));

  it('native sleep before 1.29 is rejected by the API server', () => {
    assert.equal(preStopEffect(sleep, version('1.28')).outcome, 'rejected');
  });

  it('native sleep on 1.29 (alpha, gate off) is skipped by the kubelet: 0 s', () => {
    assert.deepEqual(
      [preStopEffect(sleep, version('1.29')).outcome, preStopEffect(sleep, version('1.29')).seconds],
      ['ignored', 0],
    );
  });

  it('native sleep runs from 1.30 (beta, on) and on GA 1.34', () => {
    assert.equal(preStopEffect(sleep, version('1.30')).seconds, 15);
    assert.equal(preStopEffect(sleep, version('1.34')).seconds, 15);
  });

  it('sleep.seconds: 0 needs 1.33 (PodLifecycleSleepActionAllowZero beta)', () => {
    const zero = classifyPreStop(withHook({ sleep: { seconds: 0 } }));
    assert.equal(preStopEffect(zero, version('1.32')).outcome, 'rejected');
    assert.deepEqual(
      [preStopEffect(zero, version('1.33')).outcome, preStopEffect(zero, version('1.33')).seconds],
      ['runs', 0],
    );
  });

  it('a tcpSocket hook is not supported as a lifecycle handler: it fails at once (FailedPreStopHook)', () => {
    const effect = preStopEffect(classifyPreStop(withHook({ tcpSocket: { port: 8080 } })), version('1.31'));
    assert.deepEqual([effect.outcome, effect.seconds], ['fails', 0]);
  });

  it('exec sleep works on every version', () => {
    const exec = classifyPreStop(withHook({ exec: { command: ['/bin/sh', '-c', 'sleep 15'] } }));
    assert.equal(preStopEffect(exec, version('1.20')).seconds, 15);
  });
});
