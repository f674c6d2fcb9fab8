import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceSelects } from '../model/services.js';
import { describeApiFailure, rbacOf } from './api.js';
import { restartPatch, restartRefusal, rolloutState, selectorQuery } from './restart.js';
import { parseWorkloadRef, workloadPath } from './workload-ref.js';

const at = new Date('2026-11-24T10:11:12.345Z');

describe('rollout restart as kubectl makes it', () => {
  it('patches the template annotation with an RFC 3339 time in whole seconds (strategic merge)', () => {
    const patch = restartPatch({ kind: 'Deployment', name: 'web' }, at);
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
    assert.deepEqual(patch.body, {
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-24T10:11:12Z' } },
        },
      },
    });
  });

  it('restarts an Argo Rollout through spec.restartAt (merge patch)', () => {
    const patch = restartPatch({ kind: 'Rollout', name: 'web' }, at);
    assert.equal(patch.contentType, 'application/merge-patch+json');
    assert.deepEqual(patch.body, { spec: { restartAt: '2026-11-24T10:11:12Z' } });
  });

  it('refuses paused workloads and OnDelete strategies, and allows the rest', () => {
    assert.match(
      restartRefusal({ kind: 'Deployment', name: 'a' }, { spec: { paused: true } }) ?? '',
      /is paused/,
    );
    assert.match(restartRefusal({ kind: 'Rollout', name: 'a' }, { spec: { paused: true } }) ?? '', /promote/);
    assert.match(
      restartRefusal({ kind: 'DaemonSet', name: 'a' }, { spec: { updateStrategy: { type: 'OnDelete' } } }) ??
        '',
      /OnDelete/,
    );
    assert.equal(restartRefusal({ kind: 'StatefulSet', name: 'a' }, { spec: {} }), undefined);
  });

  it('parses workload names as kubectl does and builds their API paths', () => {
    assert.deepEqual(parseWorkloadRef('deploy/web'), { kind: 'Deployment', name: 'web' });
    assert.deepEqual(parseWorkloadRef('sts/db-0'), { kind: 'StatefulSet', name: 'db-0' });
    assert.deepEqual(parseWorkloadRef('rollout.argoproj.io/x'), {
      kind: 'Rollout',
      name: 'x',
    });
    assert.equal(
      workloadPath({ kind: 'Rollout', name: 'x' }, 'ns'),
      '/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/x',
    );
    assert.throws(() => parseWorkloadRef('web'), /name it as kubectl does/);
    assert.throws(() => parseWorkloadRef('deployment/Web_1'), /not a workload/);
  });
});

describe('rollout status as kubectl reads it', () => {
  const deployment = (status: object, generation = 2) => ({
    metadata: { generation },
    spec: { replicas: 3 },
    status: { observedGeneration: 2, ...status },
  });

  it('waits for the spec to be observed, new replicas, old ones gone, and availability', () => {
    const ref = { kind: 'Deployment', name: 'web' } as const;
    assert.equal(rolloutState(ref, deployment({}, 3)).done, false);
    assert.match(
      rolloutState(ref, deployment({ updatedReplicas: 1, replicas: 3 })).message,
      /1 out of 3 new replicas/,
    );
    assert.match(
      rolloutState(ref, deployment({ updatedReplicas: 3, replicas: 4, availableReplicas: 3 })).message,
      /1 old replicas are pending termination/,
    );
    assert.equal(
      rolloutState(ref, deployment({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 })).done,
      true,
    );
  });

  it('knows StatefulSet revisions, DaemonSet scheduling and Argo restarts', () => {
    const sts = {
      metadata: {},
      spec: { replicas: 2 },
      status: { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' },
    };
    assert.equal(rolloutState({ kind: 'StatefulSet', name: 's' }, sts).done, false);
    assert.equal(
      rolloutState(
        { kind: 'StatefulSet', name: 's' },
        { ...sts, status: { ...sts.status, currentRevision: 'b' } },
      ).done,
      true,
    );
    const ds = {
      metadata: {},
      status: { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    assert.match(
      rolloutState({ kind: 'DaemonSet', name: 'd' }, ds).message,
      /2 of 3 updated pods are available/,
    );
    const ro = {
      spec: { replicas: 1, restartAt: 'T1' },
      status: { restartedAt: 'T0', availableReplicas: 1, phase: 'Healthy' },
    };
    assert.equal(rolloutState({ kind: 'Rollout', name: 'r' }, ro).done, false);
    assert.equal(
      rolloutState({ kind: 'Rollout', name: 'r' }, { ...ro, status: { ...ro.status, restartedAt: 'T1' } })
        .done,
      true,
    );
  });

  it('turns selectors into labelSelector queries and matches Services to pod labels', () => {
    assert.equal(
      selectorQuery({
        spec: {
          selector: {
            matchLabels: { app: 'web' },
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['a', 'b'] },
              { key: 'canary', operator: 'DoesNotExist' },
            ],
          },
        },
      }),
      'app=web,tier in (a,b),!canary',
    );
    assert.equal(serviceSelects({ spec: { selector: { app: 'web' } } }, { app: 'web', v: '1' }), true);
    assert.equal(
      serviceSelects({ spec: {} }, { app: 'web' }),
      false,
      'a Service without a selector selects nothing',
    );
  });
});

describe('API errors a person reads', () => {
  it('names verbs and resources as RBAC does', () => {
    assert.deepEqual(rbacOf('GET', '/api/v1/namespaces/a/pods', { watch: true }), {
      verb: 'watch',
      resource: 'pods',
    });
    assert.deepEqual(rbacOf('GET', '/apis/apps/v1/namespaces/a/deployments/web'), {
      verb: 'get',
      resource: 'deployments.apps',
    });
    assert.deepEqual(rbacOf('PATCH', '/apis/apps/v1/namespaces/a/deployments/web'), {
      verb: 'patch',
      resource: 'deployments.apps',
    });
    assert.deepEqual(rbacOf('GET', '/api/v1/nodes'), { verb: 'list', resource: 'nodes' });
  });

  it('says what to do for 401, 403 and 404', () => {
    assert.match(describeApiFailure('GET', '/api/v1/nodes', {}, 401, undefined, 'https://k'), /log in again/);
    assert.match(
      describeApiFailure('GET', '/api/v1/nodes', {}, 403, undefined, 'https://k'),
      /may not list nodes at cluster scope/,
    );
    assert.match(
      describeApiFailure(
        'GET',
        '/apis/apps/v1/namespaces/x/deployments/web',
        {},
        404,
        { message: 'deployments.apps "web" not found' },
        'https://k',
      ),
      /not found: deployments.apps "web" not found; check the name, the namespace/,
    );
  });
});
