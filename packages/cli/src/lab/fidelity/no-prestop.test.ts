import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProgressSnapshot } from '../../recording/records.js';
import { failureCauses, rehearse } from '../../testing/helpers.js';

describe('lab fidelity: the endpoint race', { timeout: 60_000 }, () => {
  it('a server that exits on SIGTERM with no preStop loses requests: refused before endpoint removal', async () => {
    let progress: ProgressSnapshot | undefined;
    const report = await rehearse({
      mode: 'exit',
      planes: ['kube-proxy'],
      keepAlive: false,
      lastProgress: (snapshot) => (progress = snapshot),
    });
    assert.ok(report.requests.failed > 0, 'failures expected');
    // Live progress names failures as the report does (the proxy's refusal reaches the client as a reset).
    assert.deepEqual(progress?.load.byClass, report.requests.byClass);
    assert.ok((report.requests.byClass.refused ?? 0) > 0, 'refused connections expected');
    assert.deepEqual(
      Object.keys(report.requests.byClass).filter((c) => c !== 'refused' && c !== 'reset'),
      [],
      'only refused or reset',
    );
    const causes = failureCauses(report);
    assert.ok((causes['stale-endpoint'] ?? 0) > 0);
    assert.deepEqual(
      Object.keys(causes).filter((c) => c !== 'stale-endpoint' && c !== 'in-flight-cut'),
      [],
      JSON.stringify(causes),
    );
    assert.equal(report.diagnosis[0]?.cause, 'stale-endpoint');
    for (const replica of report.replicas.filter((r) => r.terminatingAt !== undefined)) {
      assert.equal(replica.exitCode, 0, `${replica.name} exits 0 on SIGTERM`);
    }
  });

  it('the same server behind a preStop sleep longer than the propagation loses nothing through the ingress', async () => {
    const report = await rehearse({ mode: 'exit', planes: ['ingress'], keepAlive: true, preStopSeconds: 6 });
    assert.deepEqual(report.requests.byClass, {});
    assert.equal(report.requests.failed, 0);
    assert.ok(report.requests.total > 500);
    assert.equal(report.verdict, 'pass');
  });
});
