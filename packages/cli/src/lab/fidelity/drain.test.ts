import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureCauses, rehearse } from '../../testing/helpers.js';

describe('lab fidelity: draining', { timeout: 60_000 }, () => {
  it("the guide's Node.js snippet destroys sockets with slow requests in flight", async () => {
    const report = await rehearse({
      mode: 'guide',
      planes: ['kube-proxy'],
      keepAlive: false,
      preStopSeconds: 6,
      delayMs: 5000,
      rate: 50,
    });
    assert.ok(report.requests.failed > 0, 'failures expected');
    assert.deepEqual(Object.keys(report.requests.byClass), ['reset']);
    assert.deepEqual(Object.keys(failureCauses(report)), ['in-flight-cut']);
    assert.equal(report.diagnosis[0]?.cause, 'in-flight-cut');
  });

  it('a drain that outlasts the grace period ends in SIGKILL: exit 137 and in-flight requests cut', async () => {
    const report = await rehearse({
      mode: 'drain',
      planes: ['kube-proxy'],
      keepAlive: false,
      preStopSeconds: 6,
      graceSeconds: 8,
      delayMs: 10_000,
      rate: 40,
    });
    const old = report.replicas.filter((r) => r.terminatingAt !== undefined);
    assert.equal(old.length, 3);
    for (const replica of old) {
      assert.equal(replica.exitCode, 137, `${replica.name} exit code`);
      assert.ok(replica.killedAt !== undefined && replica.sigtermAt !== undefined);
      // preStop used 6 of the 8 s: SIGKILL comes 2 s after SIGTERM.
      assert.ok(Math.abs((replica.killedAt ?? 0) - (replica.sigtermAt ?? 0) - 2000) < 250);
    }
    assert.ok(report.requests.failed > 0);
    assert.deepEqual(Object.keys(report.requests.byClass), ['reset']);
    assert.deepEqual(Object.keys(failureCauses(report)), ['killed-in-flight']);
    assert.equal(report.verdict, 'fail');
  });
});
