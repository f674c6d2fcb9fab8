import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rehearse, repoRoot } from '../../testing/helpers.js';

describe('lab fidelity: who is PID 1', { timeout: 60_000 }, () => {
  it('sh -c "node app.mjs" keeps SIGTERM from the app (dash does not exec): 137 at the end of the grace period', async () => {
    const report = await rehearse({
      mode: 'drain',
      command: ['sh', '-c', `node ${repoRoot}examples/lab/app.mjs drain`],
      planes: ['kube-proxy'],
      keepAlive: false,
      preStopSeconds: 6,
      graceSeconds: 8,
    });
    const old = report.replicas.filter((r) => r.terminatingAt !== undefined);
    assert.equal(old.length, 3);
    for (const replica of old) {
      assert.match(replica.sigtermIgnored ?? '', /PID 1 \(sh -c node .*\) has no SIGTERM handler/);
      assert.equal(replica.exitCode, 137);
    }
    // One diagnosis naming the three replicas, not the same text three times.
    const unsignalled = report.diagnosis.filter((d) => d.cause === 'sigterm-not-delivered');
    assert.equal(unsignalled.length, 1);
    assert.deepEqual(unsignalled[0]?.replicas, old.map((r) => r.name).sort());
    assert.equal(unsignalled[0]?.count, 3);
    // Routing had moved on long before SIGKILL, so no request was lost; the verdict still fails on SIGKILL.
    assert.equal(report.requests.failed, 0);
    assert.equal(report.verdict, 'fail');
  });

  it('the lameduck library with preStop loses nothing on both data planes with keep-alive on', async () => {
    const report = await rehearse({
      mode: 'lameduck',
      planes: ['kube-proxy', 'ingress'],
      keepAlive: true,
      preStopSeconds: 6,
    });
    assert.deepEqual(report.requests.byClass, {});
    assert.deepEqual(report.planes.map((p) => [p.plane, p.failed]).sort(), [
      ['ingress', 0],
      ['kube-proxy', 0],
    ]);
    for (const replica of report.replicas.filter((r) => r.terminatingAt !== undefined)) {
      assert.equal(replica.exitCode, 0);
      assert.equal(replica.sigtermIgnored, undefined);
    }
    assert.equal(report.verdict, 'pass');
  });
});
