import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { misspeltKind } from './kinds.js';
import { locate, objectsOf } from './objects.js';
import { findHelmTemplateLine, parseSource } from './parse.js';

function load(text: string) {
  const { parsed, errors } = parseSource({ name: 'in.yaml', text });
  const found = parsed ? objectsOf(parsed) : { objects: [], errors: [] };
  return { objects: found.objects, errors: [...errors, ...found.errors] };
}

describe('manifest loading', () => {
  it("skips other tools' YAML that is no mapping (an operator's watches.yaml), and refuses a sequence of Kubernetes objects", () => {
    const watches = load(
      '- group: crdb.cockroachlabs.com\n  kind: CrdbCluster\n  chart: helm-charts/cockroachdb\n',
    );
    assert.deepEqual(watches, { objects: [], errors: [] });
    assert.deepEqual(load('just a string\n'), { objects: [], errors: [] });
    const sequence = load('- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n');
    assert.equal(sequence.objects.length, 0);
    assert.match(String(sequence.errors[0]?.message), /document is a sequence, not a Kubernetes object/);
  });

  it('reads multi-document YAML and flattens kind: List', () => {
    const { objects } = load(
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}}\n  - {apiVersion: v1, kind: Pod, metadata: {name: c}}\n',
    );
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.name}`),
      ['Service/a', 'Deployment/b', 'Pod/c'],
    );
  });

  it('reads JSON manifests with the same parser', () => {
    const { objects } = load('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}');
    assert.equal(objects[0]?.name, 'p');
  });

  it('points at the exact line and column of a field, and at its nearest ancestor when missing', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          image: app:1',
    ].join('\n');
    const [object] = load(text).objects;
    assert.ok(object);
    assert.deepEqual(locate(object, ['spec', 'template', 'spec', 'containers', 0, 'image']), {
      line: 10,
      column: 11,
    });
    assert.deepEqual(locate(object, ['spec', 'template', 'spec', 'terminationGracePeriodSeconds']), {
      line: 7,
      column: 5,
    });
  });

  it('reports invalid YAML with its line instead of throwing', () => {
    const { errors } = load('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n');
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.format() ?? '', /^in\.yaml:\d+:\d+: invalid YAML/);
  });

  it('recognises unrendered Helm templates and names the first line', () => {
    assert.equal(
      findHelmTemplateLine('apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n'),
      4,
    );
    assert.equal(findHelmTemplateLine('{{- if .Values.enabled }}\napiVersion: v1\n'), 1);
  });

  it('leaves {{ }} inside ordinary values alone (Prometheus and Argo templates)', () => {
    assert.equal(
      findHelmTemplateLine('metadata:\n  annotations:\n    summary: "{{ $labels.instance }} is down"\n'),
      undefined,
    );
  });

  it('reads a block scalar as text, even a line of it that starts with {{ $value }} (a rendered PrometheusRule)', () => {
    const rule =
      'spec:\n  groups:\n    - rules:\n        - alert: Lag\n          annotations:\n            description: |\n              Replica lag is\n              {{ $value }}s.\n          expr: up\n';
    assert.equal(findHelmTemplateLine(rule), undefined);
    assert.equal(findHelmTemplateLine('- >-\n  {{ $labels.pod }} restarted\n'), undefined);
    // After the block ends, a template line is found again.
    assert.equal(findHelmTemplateLine(`${rule}{{- end }}\n`), 10);
  });
});

describe('misspelt kinds', () => {
  it('names the kind a typo was aiming at, and leaves custom kinds alone', () => {
    assert.equal(misspeltKind('Deploymnet', 'apps/v1'), 'Deployment');
    assert.equal(misspeltKind('deployment', 'apps/v1'), 'Deployment');
    assert.equal(misspeltKind('Sevice', 'v1'), 'Service');
    assert.equal(misspeltKind('StatefulSets', 'apps/v1'), 'StatefulSet');
    assert.equal(misspeltKind('HTTPRoutes', 'gateway.networking.k8s.io/v1'), 'HTTPRoute');
    for (const custom of [
      'CloneSet',
      'Pool',
      'Application',
      'Certificate',
      'ScaledObject',
      'Rollout',
      'PodList',
    ]) {
      assert.equal(misspeltKind(custom, 'v1'), undefined, custom);
    }
    // Gateway API's other routes are kinds, not typos of HTTPRoute (Envoy Gateway's examples).
    for (const route of ['TCPRoute', 'TLSRoute', 'UDPRoute', 'GRPCRoute'])
      assert.equal(misspeltKind(route, 'gateway.networking.k8s.io/v1alpha2'), undefined, route);
    // A custom group's kinds are its own, however they are spelt.
    assert.equal(misspeltKind('Gateways', 'example.com/v1'), undefined);
  });

  it('refuses a kind that a built-in group does not have, pod template or not; custom groups are their own', () => {
    const { objects, errors } = load(
      'apiVersion: apps/v1\nkind: CloneSet\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers: [{ name: web, image: web:1 }]\n---\napiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: { name: web }\n',
    );
    assert.deepEqual(
      objects.map((o) => o.apiVersion),
      ['apps.kruise.io/v1alpha1'],
    );
    assert.deepEqual(
      errors.map((e) => e.format()),
      [
        'in.yaml:2:1: kind "CloneSet" does not exist in apiVersion apps/v1 (it has Deployment, StatefulSet, DaemonSet, ReplicaSet, ControllerRevision); the API server refuses it; check the kind and apiVersion',
      ],
    );
  });

  it('makes a misspelt kind an input error at its line, with a "did you mean"', () => {
    const { objects, errors } = load(
      'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: web }\n',
    );
    assert.deepEqual(
      objects.map((o) => o.kind),
      ['ConfigMap'],
    );
    assert.deepEqual(
      errors.map((e) => e.format()),
      ['in.yaml:5:1: kind "Deploymnet" is not a Kubernetes kind; did you mean Deployment?'],
    );
  });
});
