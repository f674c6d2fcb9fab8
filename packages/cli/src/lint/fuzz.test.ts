/**
 * Fuzzing: random and mutated manifests and Dockerfiles through the whole lint pipeline. Whatever
 * the input, lint must not throw, and every finding must be well-formed. Seeded, so a failure
 * reproduces.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { seededRandom } from '../cluster/propagation.js';
import { dockerfileFacts } from '../dockerfile/facts.js';
import { type KubeObject, locate, objectsOf } from '../manifests/objects.js';
import { parseManifestSources } from '../manifests/parallel-parse.js';
import { parseSource } from '../manifests/parse.js';
import { DEFAULT_KUBE_VERSION } from '../model/kube-version.js';
import { fixture, pathsOf, repoRoot } from '../testing/helpers.js';
import { type Finding, lintDockerfiles, runRules } from './engine.js';
import { ALL_RULES, DOCKERFILE_RULES, RULES } from './registry.js';
import { SEVERITIES } from './rule.js';

const JUNK = [
  '',
  '0',
  '-1',
  '1e309',
  'null',
  '~',
  '[]',
  '{}',
  '"x"',
  '[1, [2]]',
  '{a: {b: c}}',
  '&a x',
  '*a',
  '!!binary AA==',
  '"\u0000"',
  'ü☃',
  '12s',
  '- - -',
];

function mutate(text: string, next: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(next() * n);
  for (let i = 0, edits = 1 + pick(4); i < edits; i++) {
    const at = pick(lines.length);
    const line = lines[at] ?? '';
    switch (pick(6)) {
      case 0: // replace a value
        lines[at] = line.replace(/:\s.*$/, `: ${JUNK[pick(JUNK.length)]}`);
        break;
      case 1: // delete a line
        lines.splice(at, 1);
        break;
      case 2: // duplicate a line
        lines.splice(at, 0, line);
        break;
      case 3: // shift indentation
        lines[at] = next() < 0.5 ? `  ${line}` : line.replace(/^ {2}/, '');
        break;
      case 4: // swap two lines
        lines[at] = lines[pick(lines.length)] ?? '';
        break;
      default: // insert junk
        lines.splice(at, 0, JUNK[pick(JUNK.length)] ?? '');
    }
  }
  return lines.join('\n');
}

function assertWellFormed(findings: readonly Finding[]): void {
  const ids = new Set(ALL_RULES.map((r) => r.id));
  for (const f of findings) {
    assert.ok(ids.has(f.rule), f.rule);
    assert.ok(SEVERITIES.includes(f.severity));
    assert.ok(
      Number.isInteger(f.line) && f.line >= 1 && Number.isInteger(f.column) && f.column >= 1,
      `${f.line}:${f.column}`,
    );
    assert.equal(typeof f.message, 'string');
    assert.ok(
      f.message.length > 0 && !f.message.includes('undefined') && !f.message.includes('NaN'),
      f.message,
    );
  }
}

const options = { kubeVersion: DEFAULT_KUBE_VERSION, profile: 'medium' as const, bufferSeconds: 10 };

function lintYaml(text: string): Finding[] {
  const { parsed } = parseSource({ name: 'fuzz.yaml', text });
  return parsed ? runRules(objectsOf(parsed).objects, RULES, options) : [];
}

/** Objects, errors and the position of every node, as a person or a rule would see them. */
async function loaded(text: string, threads: number) {
  const options = { threads, minimumBytes: 0, pieceBytes: 97 };
  const { parsed, errors } = await parseManifestSources([{ name: 'in.yaml', text }], options);
  const objects: KubeObject[] = [];
  for (const source of parsed) {
    const found = objectsOf(source);
    objects.push(...found.objects);
    errors.push(...found.errors);
  }
  return {
    errors: errors.map((e) => e.format()),
    objects: objects.map((object) => ({
      kind: object.kind,
      name: object.name,
      value: object.value,
      positions: pathsOf(object.value).map(
        (path) => `${path.join('.')}@${JSON.stringify(locate(object, path))}`,
      ),
    })),
  };
}

describe('fuzz', () => {
  const manifests = [
    readFileSync(`${repoRoot}examples/guide/deployment.yaml`, 'utf8'),
    readFileSync(`${repoRoot}examples/default-grace/deployment.yaml`, 'utf8'),
    readFileSync(fixture('lint/multi.yaml'), 'utf8'),
  ];
  const dockerfile = readFileSync(fixture('lint/docker-app/Dockerfile'), 'utf8');

  it('2,000 mutated manifests: lint never throws and every finding is well-formed', () => {
    const next = seededRandom(20261124);
    for (let i = 0; i < 2000; i++) {
      const source = manifests[i % manifests.length] as string;
      assertWellFormed(lintYaml(mutate(source, next)));
    }
  });

  it('mutated multi-document files load the same in 97-byte pieces on 3 threads as on one', async () => {
    const next = seededRandom(97);
    for (let file = 0; file < 12; file++) {
      const text = Array.from({ length: 25 }, (_, i) =>
        mutate(manifests[(file + i) % manifests.length] as string, next),
      ).join(next() < 0.5 ? '\n---\n' : '\n--- # next\n');
      assert.deepEqual(await loaded(text, 3), await loaded(text, 1), `file ${file}`);
    }
  });

  it('500 mutated Dockerfiles: parsing and the Dockerfile rules never throw', () => {
    const next = seededRandom(42);
    for (let i = 0; i < 500; i++) {
      const facts = dockerfileFacts('Dockerfile', mutate(dockerfile, next));
      if (facts)
        assertWellFormed(
          lintDockerfiles(
            [{ facts, script: { file: 's.sh', text: mutate('#!/bin/sh\nset -e\nexec "$@"\n', next) } }],
            DOCKERFILE_RULES,
          ),
        );
    }
  });

  it('random bytes as YAML and as a Dockerfile do not throw', () => {
    const next = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 200) }, () =>
        String.fromCharCode(Math.floor(next() * 0x2fff)),
      ).join('');
      assertWellFormed(lintYaml(text));
      dockerfileFacts('Dockerfile', text);
    }
  });

  it('deeply nested documents are refused with a clear message at their line, not a crash', () => {
    for (const text of [
      '['.repeat(50_000),
      `${'- '.repeat(20_000)}x`,
      `apiVersion: v1\nkind: Pod\nspec: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
    ]) {
      const { errors } = parseSource({ name: 'deep.yaml', text });
      assert.equal(errors.length, 1);
      assert.match(
        errors[0]?.format() ?? '',
        /^deep\.yaml:\d+:\d+: nested too deeply to load; no Kubernetes object nests this deeply/,
      );
    }
  });

  it('unknown kinds and odd shapes pass through quietly', () => {
    const text = [
      'apiVersion: example.com/v1\nkind: Widget\nspec: {template: {spec: {containers: 3}}}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd}\nspec: {template: {spec: {containers: [7, "x", {name: 9, ports: "80", lifecycle: {preStop: {exec: {command: "sleep 5"}}}, readinessProbe: "yes"}]}}}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd2}\nspec: {replicas: "3", strategy: {rollingUpdate: {maxUnavailable: "50%"}}, template: {spec: {terminationGracePeriodSeconds: "60", containers: [{name: a, ports: [{containerPort: 80}]}]}}}',
    ].join('\n---\n');
    assertWellFormed(lintYaml(text));
  });
});
