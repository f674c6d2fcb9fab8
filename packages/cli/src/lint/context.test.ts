import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsOf } from '../manifests/objects.js';
import { parseSource } from '../manifests/parse.js';
import { DEFAULT_KUBE_VERSION } from '../model/kube-version.js';
import { workloadContexts } from './context.js';

const service = (name: string, selector: string, namespace = 'shop') =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {selector: ${selector}}\n`;

describe('workload contexts', () => {
  it('finds exactly the Services whose whole selector matches, in the same namespace', () => {
    const text = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: web, image: web}]}\n',
      service('by-app', '{app: web}'),
      service('by-both', '{tier: front, app: web}'),
      service('other-namespace', '{app: web}', 'edge'),
      service('other-app', '{app: api}'),
      service('too-narrow', '{app: web, canary: "true"}'),
      service('no-selector', '{}'),
    ].join('---\n');
    const { parsed } = parseSource({ name: 'in.yaml', text });
    assert.ok(parsed);
    const [context] = workloadContexts(objectsOf(parsed).objects, {
      kubeVersion: DEFAULT_KUBE_VERSION,
      profile: 'medium',
      bufferSeconds: 10,
    });
    const names = context?.context.services.map((s) => (s.metadata as { name: string }).name).sort();
    assert.deepEqual(names, ['by-app', 'by-both']);
  });
});
