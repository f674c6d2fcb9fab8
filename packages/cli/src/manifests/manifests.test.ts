import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { misspeltKind } from './kinds.js';
import { loadManifests } from './load.js';
import { locate, objectsOf } from './objects.js';
import { findHelmTemplateLine, parseSource } from './parse.js';

function load(text: string) {
  const { parsed, errors } = parseSource({ name: 'in.yaml', text });
  const found = parsed ? objectsOf(parsed) : { objects: [], errors: [] };
  return { objects: found.objects, errors: [...errors, ...found.errors] };
}

describe('manifest loading', () => {
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

  it('refuses a billion-laughs alias bomb with a clear message', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const { errors, objects } = load(lines.join('\n'));
    assert.equal(objects.length, 0);
    assert.match(errors[0]?.message ?? '', /cannot load document: .*alias/i);
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

  it('loads 150,000 objects from one file (more than a call stack takes as arguments)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lameduck-many-'));
    try {
      const file = join(dir, 'many.yaml');
      await writeFile(
        file,
        Array.from(
          { length: 150_000 },
          (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`,
        ).join('---\n'),
      );
      const loaded = await loadManifests([file], async () => '');
      assert.equal(loaded.objects.length, 150_000);
      assert.deepEqual(loaded.errors, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('walks a directory in the same order on every machine (code units, not the locale)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lameduck-order-'));
    try {
      for (const name of ['b.yaml', 'B.yaml', 'a-b.yaml', 'ab.yaml', 'ä.yaml'])
        await writeFile(join(dir, name), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
      const loaded = await loadManifests([dir], async () => '');
      assert.deepEqual(
        loaded.objects.map((o) => o.source.name.slice(dir.length + 1)),
        ['B.yaml', 'a-b.yaml', 'ab.yaml', 'b.yaml', 'ä.yaml'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a scalar document is not a Kubernetes object', () => {
    assert.match(load('just a string\n').errors[0]?.message ?? '', /not a Kubernetes object/);
  });
});

describe('misspelt kinds', () => {
  it('names the kind a typo was aiming at, and leaves custom kinds alone', () => {
    assert.equal(misspeltKind('Deploymnet'), 'Deployment');
    assert.equal(misspeltKind('deployment'), 'Deployment');
    assert.equal(misspeltKind('Sevice'), 'Service');
    assert.equal(misspeltKind('StatefulSets'), 'StatefulSet');
    for (const custom of [
      'CloneSet',
      'Pool',
      'Application',
      'Certificate',
      'ScaledObject',
      'Rollout',
      'PodList',
    ]) {
      assert.equal(misspeltKind(custom), undefined, custom);
    }
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
