import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_KUBE_VERSION } from '../model/kube-version.js';
import { specFromFlags, specFromObjects } from './spec.js';

const deployment = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 4,
    strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', ...container }], ...spec },
    },
  },
});

describe('lab spec', () => {
  it('takes termination settings, probes, ports and env from the manifest', () => {
    const result = specFromObjects(
      [
        deployment(
          {
            ports: [
              { name: 'http', containerPort: 8080 },
              { name: 'metrics', containerPort: 9090 },
            ],
            lifecycle: { preStop: { sleep: { seconds: 10 } } },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 2 },
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            ],
          },
          { terminationGracePeriodSeconds: 45 },
        ),
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web' },
          spec: { selector: { app: 'web' }, publishNotReadyAddresses: true },
        },
      ],
      { kubeVersion: DEFAULT_KUBE_VERSION },
    );
    assert.ok(result.ok);
    const { spec } = result;
    assert.equal(spec.replicas, 4);
    assert.equal(spec.graceSeconds, 45);
    assert.deepEqual(spec.preStop, { kind: 'sleep', seconds: 10 });
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(spec.ports, [
      { name: 'http', port: 8080 },
      { name: 'metrics', port: 9090 },
    ]);
    assert.deepEqual(spec.probes.readiness, {
      kind: 'readiness',
      handler: { kind: 'httpGet', path: '/ready', port: 'http', https: false },
      initialDelaySeconds: 0,
      periodSeconds: 2,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(spec.env, { MODE: 'prod', NAME: '$(POD_NAME)' });
    assert.equal(spec.publishNotReadyAddresses, true);
    assert.match(spec.notes.join('\n'), /env TOKEN come from references the lab does not resolve/);
  });

  it('refuses what Kubernetes would reject or the lab cannot run, naming it', () => {
    const version128 = { major: 1, minor: 28 };
    const sleep = specFromObjects([deployment({ lifecycle: { preStop: { sleep: { seconds: 5 } } } })], {
      kubeVersion: version128,
    });
    assert.ok(!sleep.ok);
    assert.match(
      sleep.problem,
      /Deployment web: the API server rejects preStop.sleep before Kubernetes 1\.29/,
    );
    const grpc = specFromObjects([deployment({ readinessProbe: { grpc: { port: 9000 } } })], {
      kubeVersion: DEFAULT_KUBE_VERSION,
    });
    assert.ok(!grpc.ok);
    assert.match(grpc.problem, /readinessProbe uses grpc, which the lab does not emulate/);
    const none = specFromObjects([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }], {
      kubeVersion: DEFAULT_KUBE_VERSION,
    });
    assert.ok(!none.ok);
    const missing = specFromObjects([deployment({})], {
      kubeVersion: DEFAULT_KUBE_VERSION,
      container: 'sidecar',
    });
    assert.ok(!missing.ok);
    assert.match(missing.problem, /has no container named sidecar; it has web/);
  });

  it('without a manifest uses Kubernetes defaults: grace 30 s, no preStop, 25 %/25 %', () => {
    const spec = specFromFlags({
      replicas: 3,
      graceSeconds: undefined,
      preStopSeconds: undefined,
      readinessPath: undefined,
      port: 8080,
    });
    assert.equal(spec.graceSeconds, 30);
    assert.deepEqual(spec.preStop, { kind: 'none' });
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(spec.probes, {});
  });
});
