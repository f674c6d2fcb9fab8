import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChanges, patchFor } from './changes.js';
import { getIn, type JsonObject } from './json.js';

const deployment: JsonObject = {
  kind: 'Deployment',
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'sidecar-log', image: 'log:1' },
          { name: 'app', image: 'app:1', lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } } },
        ],
      },
    },
  },
};
const app = { name: 'app', list: 'containers', index: 1 } as const;

describe('changes as patches', () => {
  it('strategic merge patch matches containers by name and replaces an existing preStop with $patch: replace', () => {
    const patch = patchFor(deployment, 'Deployment', [
      { kind: 'grace', seconds: 45 },
      { kind: 'prestop', container: app, handler: { sleep: { seconds: 15 } } },
    ]);
    assert.deepEqual(patch, {
      type: 'strategic',
      content: {
        spec: {
          template: {
            spec: {
              terminationGracePeriodSeconds: 45,
              containers: [
                { name: 'app', lifecycle: { preStop: { $patch: 'replace', sleep: { seconds: 15 } } } },
              ],
            },
          },
        },
      },
    });
  });

  it('an Argo Rollout (a custom resource, no strategic merge) gets a JSON patch that adds missing parents once', () => {
    const rollout = {
      kind: 'Rollout',
      spec: { replicas: 3, template: getIn(deployment, ['spec', 'template']) },
    };
    const patch = patchFor(rollout, 'Rollout', [
      { kind: 'rolling-update', maxUnavailable: 0, maxSurge: 1, setType: false },
      { kind: 'prestop', container: app, handler: { sleep: { seconds: 15 } } },
    ]);
    assert.deepEqual(patch, {
      type: 'json',
      content: [
        { op: 'add', path: '/spec/strategy', value: { canary: { maxUnavailable: 0 } } },
        { op: 'add', path: '/spec/strategy/canary/maxSurge', value: 1 },
        {
          op: 'replace',
          path: '/spec/template/spec/containers/1/lifecycle/preStop',
          value: { sleep: { seconds: 15 } },
        },
      ],
    });
  });

  it('applyChanges writes into a copy and leaves the input untouched', () => {
    const before = JSON.stringify(deployment);
    const after = applyChanges(deployment, 'Deployment', [{ kind: 'grace', seconds: 60 }]);
    assert.equal(JSON.stringify(deployment), before);
    assert.equal(getIn(after, ['spec', 'template', 'spec', 'terminationGracePeriodSeconds']), 60);
  });

  it('no changes, no patch', () => {
    assert.equal(patchFor(deployment, 'Deployment', []), undefined);
  });
});
