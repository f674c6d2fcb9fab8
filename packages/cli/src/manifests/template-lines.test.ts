import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { includedDefinition, namedTemplates, placeInChart, type RenderedDocument } from './template-lines.js';

/** Where `path` lands in one template that includes nothing the chart defines. */
const templatePosition = (template: string, rendered: RenderedDocument, path: (string | number)[]) =>
  placeInChart({ name: 'template.yaml', text: template }, rendered, path, new Map()).position;

const deployment = (containers: unknown[]) => ({
  kind: 'Deployment',
  spec: { template: { spec: { containers } } },
});
const containerPath = (index: number, ...rest: string[]) => [
  'spec',
  'template',
  'spec',
  'containers',
  index,
  ...rest,
];

describe('templatePosition: a rendered path to its line in the Helm template', () => {
  const template = [
    'apiVersion: apps/v1', // 1
    'kind: Deployment', // 2
    'metadata:', // 3
    '  name: {{ include "x.fullname" . }}', // 4
    'spec:', // 5
    '  template:', // 6
    '    spec:', // 7
    '      containers:', // 8
    '      {{- if .Values.sidecar.enabled }}', // 9
    '      - name: proxy', // 10
    '        image: envoy', // 11
    '      {{- end }}', // 12
    '      - name: {{ .Chart.Name }}', // 13
    '        command: |', // 14
    '          lifecycle: not a key', // 15
    '        resources:', // 16
    '          {{- toYaml .Values.resources | nindent 10 }}', // 17
    '        {{- with .Values.lifecycle }}', // 18
    '        lifecycle:', // 19
    '          {{- toYaml . | nindent 10 }}', // 20
    '        {{- end }}', // 21
    '        {{- include "x.readinessProbe" . | nindent 8 }}', // 22
    '        {{- include "x.livenessProbe" . | nindent 8 }}', // 23
  ].join('\n');
  const rendered = {
    kind: 'Deployment',
    ordinal: 0,
    value: deployment([{ name: 'app', resources: { limits: {} } }]),
  };

  it('follows keys through action lines, sequences level with their key and block scalars', () => {
    // The sidecar is off: the one rendered container is the template's second item, the one whose
    // name is not written literally (the counts differ: 1 rendered, 2 written).
    assert.deepEqual(templatePosition(template, rendered, containerPath(0)), { line: 13, column: 9 });
    const unknown = { ...rendered, value: deployment([{ image: 'x' }]) };
    assert.deepEqual(templatePosition(template, unknown, containerPath(0)), { line: 8, column: 7 });
    const both = { ...rendered, value: deployment([{ name: 'proxy' }, { name: 'app' }]) };
    assert.deepEqual(templatePosition(template, both, containerPath(0, 'image')), { line: 11, column: 9 });
    assert.deepEqual(templatePosition(template, both, containerPath(1, 'lifecycle')), {
      line: 19,
      column: 9,
    });
  });

  it('a value written by toYaml is placed on the action line that writes it', () => {
    const both = { ...rendered, value: deployment([{ name: 'proxy' }, { name: 'app' }]) };
    assert.deepEqual(templatePosition(template, both, containerPath(1, 'resources', 'limits')), {
      line: 17,
      column: 11,
    });
    assert.deepEqual(templatePosition(template, both, containerPath(1, 'lifecycle', 'preStop')), {
      line: 20,
      column: 11,
    });
  });

  it('of several action lines, the one that names the key', () => {
    const both = { ...rendered, value: deployment([{ name: 'proxy' }, { name: 'app' }]) };
    assert.deepEqual(templatePosition(template, both, containerPath(1, 'livenessProbe')), {
      line: 23,
      column: 9,
    });
    // Naming none of them: the item itself (its content, after the dash, as YAML positions go).
    assert.deepEqual(templatePosition(template, both, containerPath(1, 'startupProbe')), {
      line: 13,
      column: 9,
    });
  });

  it('the object itself is its first line; a template with no literal key, line 1', () => {
    assert.deepEqual(templatePosition(template, rendered, []), { line: 1, column: 1 });
    assert.deepEqual(templatePosition('{{- include "lib.deployment" . }}\n', rendered, ['spec']), {
      line: 1,
      column: 1,
    });
  });

  it('picks the document of the rendered kind, and of that kind the one in order', () => {
    const two = [
      'apiVersion: v1', // 1
      'kind: Service', // 2
      'spec:', // 3
      '  type: ClusterIP', // 4
      '---', // 5
      '{{- range .Values.workers }}', // 6
      'apiVersion: apps/v1', // 7
      'kind: Deployment', // 8
      'spec:', // 9
      '  replicas: 1', // 10
      '{{- end }}', // 11
    ].join('\n');
    const worker = { kind: 'Deployment', ordinal: 0, value: { kind: 'Deployment', spec: { replicas: 1 } } };
    assert.deepEqual(templatePosition(two, worker, ['spec', 'replicas']), { line: 10, column: 3 });
    assert.deepEqual(templatePosition(two, { ...worker, ordinal: 3 }, ['spec', 'replicas']), {
      line: 10,
      column: 3,
    });
    const service = { kind: 'Service', ordinal: 0, value: { kind: 'Service', spec: { type: 'ClusterIP' } } };
    assert.deepEqual(templatePosition(two, service, ['spec', 'type']), { line: 4, column: 3 });
  });

  it('places the first rendered container on the first item when every item is templated (a container, then a range of sidecars)', () => {
    const text = [
      'kind: Deployment', // 1
      'spec:', // 2
      '  template:', // 3
      '    spec:', // 4
      '      containers:', // 5
      '        - name: {{ .name }}', // 6
      '          image: app', // 7
      '        {{- range .sidecars }}', // 8
      '        - name: {{ .name }}', // 9
      '        {{- end }}', // 10
    ].join('\n');
    const rendered = { kind: 'Deployment', ordinal: 0, value: deployment([{ name: 'ad' }]) };
    assert.deepEqual(templatePosition(text, rendered, containerPath(0, 'name')), { line: 6, column: 11 });
  });

  it("finds a named template a range includes, and its body keeps the file's line numbers", () => {
    const objects = [
      '{{/* Deployments */}}', // 1
      '{{- define "demo.deployment" }}', // 2
      'kind: Deployment', // 3
      'spec:', // 4
      '  template:', // 5
      '    spec:', // 6
      '      containers:', // 7
      '        - name: {{ .name }}', // 8
      '{{- end }}', // 9
    ].join('\n');
    const named = namedTemplates(new Map([['_objects.tpl', objects]]));
    const component = '{{- range .Values.components }}\n---\n{{ include "demo.deployment" . }}\n{{- end }}\n';
    const definition = includedDefinition(component, 'Deployment', named);
    assert.equal(definition?.file, '_objects.tpl');
    assert.equal(
      includedDefinition(objects, 'Deployment', named),
      undefined,
      'a template that writes the kind itself',
    );
    const rendered = { kind: 'Deployment', ordinal: 2, value: deployment([{ name: 'cart' }]) };
    const placed = placeInChart(
      { name: 'component.yaml', text: component },
      rendered,
      containerPath(0, 'name'),
      named,
    );
    assert.equal(placed.source.name, '_objects.tpl');
    assert.deepEqual(placed.position, { line: 8, column: 11 });
  });

  it("follows a part of the object handed to an include, on the key's line or on an action line below it", () => {
    const podTemplate = [
      '{{- define "traefik.podTemplate" }}', // 1
      'metadata:', // 2
      '  labels: {app: traefik}', // 3
      'spec:', // 4
      '  containers:', // 5
      '    - image: traefik:v3', // 6
      '      name: {{ template "traefik.fullname" . }}', // 7
      '{{- end }}', // 8
    ].join('\n');
    const pod = [
      '{{- define "grafana.pod" }}',
      'containers:',
      '  - name: grafana',
      '    image: grafana',
      '{{- end }}',
    ].join('\n');
    const named = namedTemplates(
      new Map([
        ['_podtemplate.tpl', podTemplate],
        ['_pod.tpl', pod],
      ]),
    );
    const traefik = [
      'kind: Deployment',
      'spec:',
      '  template: {{ include "traefik.podTemplate" . | fromYaml | toYaml | nindent 4 }}',
    ].join('\n');
    const rendered = {
      kind: 'Deployment',
      ordinal: 0,
      value: deployment([{ name: 'traefik', image: 'traefik:v3' }]),
    };
    const inline = placeInChart(
      { name: 'deployment.yaml', text: traefik },
      rendered,
      containerPath(0, 'name'),
      named,
    );
    assert.equal(inline.source.name, '_podtemplate.tpl');
    assert.deepEqual(inline.position, { line: 7, column: 7 });
    const grafana = [
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      {{- include "grafana.pod" . | nindent 6 }}',
    ].join('\n');
    const below = placeInChart(
      { name: 'deployment.yaml', text: grafana },
      rendered,
      containerPath(0, 'name'),
      named,
    );
    assert.equal(below.source.name, '_pod.tpl');
    assert.deepEqual(below.position, { line: 3, column: 5 });
  });
});
