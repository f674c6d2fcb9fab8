import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeWorkload, DEFAULT_ANALYSIS_OPTIONS } from './analyze.js';
import { applyChanges } from './changes.js';
import { profileForNodes } from './guide-tables.js';
import type { JsonObject } from './json.js';
import { DEFAULT_KUBE_VERSION, parseKubeVersion } from './kube-version.js';
import { type RecommendOptions, recommend } from './recommendations.js';
import { resolveRollingUpdate } from './rolling-update.js';
import { findPodTemplate } from './workloads.js';

const options: RecommendOptions = { profile: 'medium', kubeVersion: DEFAULT_KUBE_VERSION, bufferSeconds: 10 };

function deployment(podSpec: JsonObject, spec: JsonObject = {}, annotations: JsonObject = {}): JsonObject {
  return {
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 3, ...spec, template: { metadata: { annotations }, spec: podSpec } },
  };
}

function run(object: JsonObject, recommendOptions = options, drainSeconds?: number) {
  const lookup = findPodTemplate(object, 'Deployment');
  assert.ok(lookup.found);
  const analysis = analyzeWorkload('Deployment', lookup.template, {
    ...DEFAULT_ANALYSIS_OPTIONS,
    kubeVersion: recommendOptions.kubeVersion,
    drainSeconds,
  });
  return { analysis, ...recommend(analysis, object, recommendOptions) };
}

const serving = {
  name: 'app',
  ports: [{ containerPort: 8080 }],
  readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
};

describe('recommendations', () => {
  it('cluster size picks the preStop range: < 50 small, 50-99 medium, 100+ large', () => {
    assert.deepEqual([49, 50, 99, 100].map(profileForNodes), ['small', 'medium', 'medium', 'large']);
  });

  it('rolling update resolves like the Deployment controller: 25 % of 3 is 0 unavailable and 1 surge', () => {
    assert.deepEqual(resolveRollingUpdate(undefined, undefined, 3), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveRollingUpdate(undefined, undefined, 4), { surge: 1, unavailable: 1 });
    assert.deepEqual(resolveRollingUpdate('0%', '10%', 3), { surge: 0, unavailable: 1 });
  });

  it('one PostgreSQL under a rolling update: Recreate, to review, and no surge written (a second copy on the same data)', () => {
    const db = { name: 'db', image: 'postgres:16', ports: [{ containerPort: 5432 }] };
    const result = run(
      deployment({ containers: [db] }, { replicas: 1, strategy: { rollingUpdate: { maxUnavailable: 1 } } }),
    );
    const rollout = result.recommendations.find((r) => r.id === 'rolling-update');
    assert.equal(rollout?.action, 'review');
    assert.equal(rollout?.recommended, 'Recreate');
    assert.equal(result.changes.filter((c) => c.kind === 'rolling-update').length, 0);
  });

  it('no preStop: adds the top of the cluster range as a native sleep on 1.30+', () => {
    const { changes } = run(deployment({ containers: [serving] }));
    assert.deepEqual(
      changes.find((c) => c.kind === 'prestop'),
      {
        kind: 'prestop',
        container: { name: 'app', list: 'containers', index: 0 },
        handler: { sleep: { seconds: 15 } },
      },
    );
  });

  it('before 1.30 the recommended preStop is exec sleep, which works without the gate', () => {
    const { changes } = run(deployment({ containers: [serving] }), {
      ...options,
      kubeVersion: parseKubeVersion('1.29') ?? assert.fail(),
    });
    const change = changes.find((c) => c.kind === 'prestop');
    assert.deepEqual(change?.kind === 'prestop' ? change.handler : undefined, {
      exec: { command: ['/bin/sh', '-c', 'sleep 15'] },
    });
  });

  it("grace covers preStop + drain + buffer: guide's 15 + 20 + 10 gives 45 when the default 30 is too low", () => {
    const object = deployment({
      containers: [{ ...serving, lifecycle: { preStop: { sleep: { seconds: 15 } } } }],
    });
    const { changes, recommendations } = run(object, options, 20);
    assert.deepEqual(
      changes.find((c) => c.kind === 'grace'),
      { kind: 'grace', seconds: 45 },
    );
    assert.match(recommendations.find((r) => r.id === 'grace-period')?.reason ?? '', /15 \+ 20 \+ 10 = 45s/);
  });

  it('a grace period that already covers the formula is kept', () => {
    const object = deployment({
      terminationGracePeriodSeconds: 60,
      containers: [{ ...serving, lifecycle: { preStop: { sleep: { seconds: 15 } } } }],
    });
    const { changes } = run(object, options, 25);
    assert.equal(
      changes.find((c) => c.kind === 'grace'),
      undefined,
    );
  });

  it('an exec hook that does more than sleep is left for review, never replaced', () => {
    const object = deployment({
      containers: [{ ...serving, lifecycle: { preStop: { exec: { command: ['nginx', '-s', 'quit'] } } } }],
    });
    const { changes, recommendations } = run(object);
    assert.equal(
      changes.find((c) => c.kind === 'prestop'),
      undefined,
    );
    assert.equal(recommendations.find((r) => r.id === 'prestop')?.action, 'review');
  });

  it('Recreate on a serving Deployment becomes RollingUpdate with maxUnavailable 0 and maxSurge 1', () => {
    const { changes } = run(deployment({ containers: [serving] }, { strategy: { type: 'Recreate' } }));
    assert.deepEqual(
      changes.find((c) => c.kind === 'rolling-update'),
      {
        kind: 'rolling-update',
        maxUnavailable: 0,
        maxSurge: 1,
        setType: true,
      },
    );
  });

  it('a serving container without readiness probe gets one on its serving port', () => {
    const { changes } = run(deployment({ containers: [{ name: 'app', ports: [{ containerPort: 9000 }] }] }));
    const change = changes.find((c) => c.kind === 'readiness-probe');
    assert.deepEqual(change?.kind === 'readiness-probe' ? change.probe.httpGet : undefined, {
      path: '/healthz/ready',
      port: 9000,
    });
  });

  it('a database or broker gets no HTTP probe: without one, a review naming a TCP check or its client; with a TCP one, keep', () => {
    const redis = { name: 'redis', image: 'redis:7', ports: [{ containerPort: 6379 }] };
    const without = run(deployment({ containers: [redis] }));
    assert.equal(
      without.changes.find((c) => c.kind === 'readiness-probe'),
      undefined,
    );
    const review = without.recommendations.find((r) => r.id === 'readiness-probe');
    assert.deepEqual(
      [review?.action, review?.recommended],
      ['review', 'tcpSocket on port 6379, or an exec of redis-cli ping'],
    );
    const withTcp = run(
      deployment({ containers: [{ ...redis, readinessProbe: { tcpSocket: { port: 6379 } } }] }),
    ).recommendations.find((r) => r.id === 'readiness-probe');
    assert.equal(withTcp?.action, 'keep');
  });

  it('applying the recommended changes leaves nothing more to change (the plan converges)', () => {
    const object = deployment(
      { containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] },
      { strategy: { type: 'Recreate' } },
    );
    const first = run(object, options, 20);
    const patched = applyChanges(object, 'Deployment', first.changes);
    const second = run(patched, options, 20);
    assert.deepEqual(second.changes, []);
    assert.equal(second.analysis.containers[0]?.budget.verdict, 'ok');
  });

  it('a Job is batch: no preStop or rollout advice, grace from the batch range (120-300 s)', () => {
    const job = { kind: 'Job', spec: { template: { spec: { containers: [{ name: 'worker' }] } } } };
    const lookup = findPodTemplate(job, 'Job');
    assert.ok(lookup.found);
    const analysis = analyzeWorkload('Job', lookup.template, DEFAULT_ANALYSIS_OPTIONS);
    const { changes } = recommend(analysis, job, options);
    assert.deepEqual(changes, [{ kind: 'grace', seconds: 300 }]);
  });
});
