import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeWorkload, DEFAULT_ANALYSIS_OPTIONS } from './analyze.js';
import type { JsonObject } from './json.js';
import {
  findPodTemplate,
  impliedWorkloadType,
  terminatingContainers,
  WORKLOAD_KINDS,
  type WorkloadKind,
} from './workloads.js';

const podSpec = { containers: [{ name: 'app', image: 'app:1' }] };
const template = { metadata: { labels: { app: 'x' } }, spec: podSpec };

const objects: Record<WorkloadKind, JsonObject> = {
  Pod: { kind: 'Pod', spec: podSpec },
  Deployment: { kind: 'Deployment', spec: { template } },
  StatefulSet: { kind: 'StatefulSet', spec: { template } },
  DaemonSet: { kind: 'DaemonSet', spec: { template } },
  ReplicaSet: { kind: 'ReplicaSet', spec: { template } },
  ReplicationController: { kind: 'ReplicationController', spec: { template } },
  Job: { kind: 'Job', spec: { template } },
  CronJob: { kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } },
  Rollout: { kind: 'Rollout', spec: { template } },
};

describe('workload kinds', () => {
  for (const kind of WORKLOAD_KINDS) {
    it(`finds the pod template of a ${kind}`, () => {
      const lookup = findPodTemplate(objects[kind], kind);
      assert.ok(lookup.found, `no template in ${kind}`);
      assert.equal(terminatingContainers(lookup.template)[0]?.name, 'app');
    });
  }

  it('a Deployment without spec.template has no pod template, and says where it should be', () => {
    const lookup = findPodTemplate({ kind: 'Deployment', spec: { replicas: 2 } }, 'Deployment');
    assert.equal(lookup.found, false);
    assert.match(lookup.found ? '' : lookup.problem, /no spec\.template\.spec/);
  });

  it('an Argo Rollout with workloadRef points at the referenced workload instead', () => {
    const lookup = findPodTemplate(
      { kind: 'Rollout', spec: { workloadRef: { kind: 'Deployment', name: 'web' } } },
      'Rollout',
    );
    assert.equal(lookup.found, false);
    assert.match(lookup.found ? '' : lookup.problem, /plan web instead/);
  });

  it('StatefulSet implies stateful, Job and CronJob imply batch; other kinds say nothing', () => {
    assert.equal(impliedWorkloadType('StatefulSet'), 'stateful');
    assert.equal(impliedWorkloadType('Job'), 'batch');
    assert.equal(impliedWorkloadType('CronJob'), 'batch');
    assert.equal(impliedWorkloadType('Deployment'), undefined);
  });

  it('native sidecars (initContainers with restartPolicy: Always) terminate; ordinary init containers do not', () => {
    const lookup = findPodTemplate(
      {
        kind: 'Pod',
        spec: {
          initContainers: [{ name: 'migrate' }, { name: 'proxy', restartPolicy: 'Always' }],
          containers: [{ name: 'app' }],
        },
      },
      'Pod',
    );
    assert.ok(lookup.found);
    assert.deepEqual(
      terminatingContainers(lookup.template).map((c) => [c.name, c.role]),
      [
        ['app', 'main'],
        ['proxy', 'sidecar'],
      ],
    );
  });
});

describe('workload analysis', () => {
  it('reads the drain from the lameduck.dev/drain-seconds annotation on the pod template', () => {
    const lookup = findPodTemplate(
      {
        kind: 'Deployment',
        spec: {
          template: {
            metadata: { annotations: { 'lameduck.dev/drain-seconds': '25s' } },
            spec: {
              terminationGracePeriodSeconds: 60,
              containers: [{ name: 'app', lifecycle: { preStop: { sleep: { seconds: 15 } } } }],
            },
          },
        },
      },
      'Deployment',
    );
    assert.ok(lookup.found);
    const analysis = analyzeWorkload('Deployment', lookup.template, DEFAULT_ANALYSIS_OPTIONS);
    assert.deepEqual(
      [analysis.containers[0]?.budget.drainSeconds, analysis.containers[0]?.budget.drainSource],
      [25, 'annotation'],
    );
  });

  it('a drain flag wins over the annotation; a malformed annotation is reported, not guessed', () => {
    const lookup = findPodTemplate(
      { kind: 'Pod', metadata: { annotations: { 'lameduck.dev/drain-seconds': 'soon' } }, spec: podSpec },
      'Pod',
    );
    assert.ok(lookup.found);
    const fromFlag = analyzeWorkload('Pod', lookup.template, {
      ...DEFAULT_ANALYSIS_OPTIONS,
      drainSeconds: 12,
    });
    assert.equal(fromFlag.containers[0]?.budget.drainSeconds, 12);
    const fromAnnotation = analyzeWorkload('Pod', lookup.template, DEFAULT_ANALYSIS_OPTIONS);
    assert.equal(fromAnnotation.containers[0]?.budget.drainSeconds, undefined);
    assert.match(fromAnnotation.annotationProblems[0]?.message ?? '', /must be seconds/);
  });

  it('a sidecar gets SIGTERM when the last main container has exited', () => {
    const lookup = findPodTemplate(
      {
        kind: 'Pod',
        spec: {
          terminationGracePeriodSeconds: 60,
          initContainers: [
            { name: 'proxy', restartPolicy: 'Always', lifecycle: { preStop: { sleep: { seconds: 5 } } } },
          ],
          containers: [{ name: 'app', lifecycle: { preStop: { sleep: { seconds: 15 } } } }],
        },
      },
      'Pod',
    );
    assert.ok(lookup.found);
    const analysis = analyzeWorkload('Pod', lookup.template, {
      ...DEFAULT_ANALYSIS_OPTIONS,
      drainSeconds: 20,
    });
    const proxy = analysis.containers.find((c) => c.container.name === 'proxy');
    assert.deepEqual([proxy?.budget.sigtermAt, proxy?.budget.sigkillAt], [35, 60]);
  });
});
