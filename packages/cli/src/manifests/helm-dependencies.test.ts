import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disabledDependencies } from './helm-dependencies.js';

/** tempo-distributed's dependencies: one renamed by an alias, one behind a nested condition. */
const chart = {
  dependencies: [
    { name: 'minio', alias: 'minio', condition: 'minio.enabled' },
    { name: 'grafana-agent-operator', condition: 'metaMonitoring.grafanaAgent.installOperator' },
    { name: 'rollout-operator', alias: 'rollout_operator', condition: 'rollout_operator.enabled' },
    { name: 'redis' },
  ],
};
const off = {
  minio: { enabled: false },
  metaMonitoring: { grafanaAgent: { installOperator: false } },
  rollout_operator: { enabled: false },
};

describe('missing Helm dependencies the values switch off', () => {
  it('all off, by alias or by chart name (helm names the chart): rendered without them', () => {
    assert.deepEqual(
      disabledDependencies(chart, ['minio', 'grafana-agent-operator', 'rollout-operator'], off),
      ['minio', 'grafana-agent-operator', 'rollout-operator'],
    );
  });

  it('one on, one with no condition, or the condition unset: none is left out', () => {
    assert.equal(disabledDependencies(chart, ['minio'], { ...off, minio: { enabled: true } }), undefined);
    assert.equal(disabledDependencies(chart, ['redis'], off), undefined);
    assert.equal(disabledDependencies(chart, ['minio'], {}), undefined);
  });
});
