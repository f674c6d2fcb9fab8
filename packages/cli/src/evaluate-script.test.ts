import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot, topLevelEnv } from './testing/helpers.js';

interface Finding {
  rule: string;
  line: number;
  file?: string;
  object: { kind: string; name: string; namespace: string | null; container: string | null };
}
interface Match {
  lineLands(finding: Finding, text: string | undefined): { ok: boolean; why?: string; front?: string };
  objectMatches(pattern: string, key: string): boolean;
  judge(
    finding: Finding,
    run: string,
    verdicts: Record<string, string>[],
  ): (Record<string, string> & { byObject?: true }) | undefined;
}

const match = (await import(pathToFileURL(`${repoRoot}scripts/evaluate/match.mjs`).href)) as Match;

// As kubectl kustomize prints it: keys sorted, so a container's name comes after its probes.
const RENDERED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: web
        livenessProbe:
          httpGet:
            path: /live
        name: app
        ports:
        - containerPort: 8080
      - image: proxy
        name: proxy
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
`;
const finding = (line: number, container: string | null): Finding => ({
  rule: 'liveness-equals-readiness',
  line,
  object: { kind: 'Deployment', name: 'web', namespace: null, container },
});

describe('scripts/evaluate: where a finding lands', () => {
  it('accepts a line in the named container even when kustomize sorted its name below it', () => {
    assert.deepEqual(match.lineLands(finding(10, 'app'), RENDERED).ok, true);
  });

  it("reads a name written with more than one space after it (OpenFaaS's `- name:  dashboard`)", () => {
    assert.equal(
      match.lineLands(finding(10, 'app'), RENDERED.replace('        name: app', '        name:  app')).ok,
      true,
    );
  });

  it("reads past a comment at column 0 inside the container (KubeRay's commented-out flag)", () => {
    const commented = RENDERED.replace(
      '        name: app',
      '#        - --enable-leader-election\n        name: app',
    );
    assert.equal(match.lineLands(finding(10, 'app'), commented).ok, true);
  });

  it("accepts a workload's finding on the autoscaler that sets its replica count", () => {
    const hpa =
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  minReplicas: 1\n';
    assert.deepEqual(
      match.lineLands({ ...finding(6, null), rule: 'single-replica' }, hpa).front,
      'HorizontalPodAutoscaler',
    );
  });

  it('rejects a line in another container of the same pod', () => {
    assert.equal(match.lineLands(finding(16, 'app'), RENDERED).ok, false);
    assert.equal(match.lineLands(finding(16, 'proxy'), RENDERED).ok, true);
  });

  it('accepts the container a JSON 6902 patch appends, and a patch that targets by kind under another name', () => {
    const appended =
      '- op: add\n  path: /spec/template/spec/containers/-\n  value:\n    image: proxy\n    name: proxy\n';
    assert.equal(match.lineLands(finding(5, 'proxy'), appended).ok, true);
    assert.equal(match.lineLands(finding(5, 'app'), appended).ok, false);
    const patch =
      'kind: Deployment\nmetadata:\n  name: ignored-by-kustomize\nspec:\n  template:\n    spec:\n      containers:\n      - name: proxy\n';
    assert.equal(match.lineLands(finding(8, 'proxy'), patch).ok, true);
    assert.equal(match.lineLands(finding(3, null), patch).ok, false);
  });

  it("reads through a template action at column 0 that renders indented (Harbor's `{{ include ... | indent 8 }}`)", () => {
    const template =
      'kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        volumeMounts:\n{{ include "ca.mount" . | indent 8 }}\n      - name: proxy\n        image: proxy\n';
    assert.equal(match.lineLands(finding(11, 'proxy'), template).ok, true);
  });

  it('accepts the object in front (an Ingress) and rejects a line past the end', () => {
    assert.equal(match.lineLands(finding(21, null), RENDERED).front, 'Ingress');
    assert.match(match.lineLands(finding(99, null), RENDERED).why ?? '', /past the end/);
  });
});

describe('scripts/evaluate: which verdict a finding gets', () => {
  const verdict = (line: string, object: string, value: string) => ({
    run: 'r',
    file: 'a.yaml',
    line,
    rule: 'prestop-missing',
    object,
    verdict: value,
  });

  it('matches Helm test pods by a * pattern, and nothing else by it', () => {
    assert.equal(
      match.objectMatches('Pod/default/chart-test-*/curl', 'Pod/default/chart-test-x1z9q/curl'),
      true,
    );
    assert.equal(
      match.objectMatches('Pod/default/chart-test-*/curl', 'Pod/default/chart-test-x1z9q/wget'),
      false,
    );
  });

  it('takes the verdict of the same object and rule at the closest line, whatever the drift', () => {
    const verdicts = [
      verdict('10', 'Deployment//web/app', 'real'),
      verdict('40', 'Deployment//web/app', 'false'),
    ];
    const drifted = { ...finding(37, 'app'), rule: 'prestop-missing', file: 'a.yaml' };
    assert.equal(match.judge(drifted, 'r', verdicts)?.verdict, 'false');
    assert.equal(match.judge(drifted, 'r', verdicts)?.byObject, undefined);
  });

  it('falls back to the same object in another file, and says so; another object gets nothing', () => {
    const verdicts = [verdict('10', 'Deployment//web/app', 'real')];
    const moved = { ...finding(12, 'app'), rule: 'prestop-missing', file: 'base/web.yaml' };
    assert.deepEqual(
      {
        verdict: match.judge(moved, 'r', verdicts)?.verdict,
        byObject: match.judge(moved, 'r', verdicts)?.byObject,
      },
      { verdict: 'real', byObject: true },
    );
    const other = { ...moved, object: { ...moved.object, name: 'api' } };
    assert.equal(match.judge(other, 'r', verdicts), undefined);
  });
});

describe('scripts/evaluate end to end', () => {
  let directory = '';
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['scripts/evaluate/evaluate.mjs', ...args], {
      cwd: repoRoot,
      env: topLevelEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'lameduck-evaluate-test-'));
    const work = join(directory, 'work');
    mkdirSync(join(work, 'k8s'), { recursive: true });
    writeFileSync(
      join(work, 'k8s', 'web.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: app
          image: web
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
`,
    );
    const git = (...args: string[]) =>
      assert.equal(
        spawnSync('git', args, { cwd: work, encoding: 'utf8', env: topLevelEnv() }).status,
        0,
        args.join(' '),
      );
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'manifests');
    const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: work, encoding: 'utf8' }).stdout.trim();
    mkdirSync(join(directory, 'mirror', 'someone+web'), { recursive: true });
    git('clone', '-q', '--mirror', work, join(directory, 'mirror', 'someone+web', 'repo'));
    const runs = (repo: string) =>
      JSON.stringify({
        runs: [{ id: 'web/k8s', repo, commit, extract: ['k8s'], lint: ['k8s'], flags: [] }],
      });
    writeFileSync(join(directory, 'runs.json'), runs('someone/web'));
    writeFileSync(join(directory, 'missing.json'), runs('nobody/gone'));
    writeFileSync(
      join(directory, 'verdicts.tsv'),
      '# a comment\nrun\tfile\tline\trule\tseverity\tobject\tverdict\treason\nweb/k8s\tk8s/web.yaml\t15\tprestop-missing\terror\tDeployment//web/app\treal\tserved, no preStop\n',
    );
    writeFileSync(
      join(directory, 'expected.tsv'),
      'run\tfile\tline\trule\tobject\treason\nweb/k8s\tk8s/web.yaml\t1\tsingle-replica\tDeployment//web\tnot a problem lint sees, to count as missed\n',
    );
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('extracts the pinned commit, lints it, and prints precision, recall, unjudged and lines', () => {
    const result = run(
      ...['--mirror', join(directory, 'mirror'), '--runs', join(directory, 'runs.json')],
      ...['--verdicts', join(directory, 'verdicts.tsv'), '--expected', join(directory, 'expected.tsv')],
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\| web\/k8s \| [0-9a-f]{12} \| 1 \| [\d.]+ \| 1 \| 0 \| 0 \| 0 \| no \|/);
    assert.match(
      result.stdout,
      /\| prestop-missing \| 1 \| 1 \| 0 \| 0 \| 0 \| 100 % \| 100 % \| 0 \| 100 % \|/,
    );
    assert.match(result.stdout, /\| single-replica \| 0 \| 0 \| 0 \| 0 \| 0 \| - \| - \| 1 \| 0 % \|/);
    assert.match(result.stdout, /1 of 1 findings land in the object they name/);
    assert.match(
      result.stdout,
      /- web\/k8s k8s\/web\.yaml:1 single-replica Deployment\/\/web: not a problem/,
    );
  });

  it('lists a finding with no verdict as a row to fill in', () => {
    writeFileSync(join(directory, 'none.tsv'), '');
    const result = run(
      ...['--mirror', join(directory, 'mirror'), '--runs', join(directory, 'runs.json')],
      ...['--verdicts', join(directory, 'none.tsv'), '--unjudged'],
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^web\/k8s\tk8s\/web\.yaml\t15\tprestop-missing\terror\tDeployment\/\/web\/app\t\t/m,
    );
  });

  it('says how to get a repository whose mirror is missing, and skips its run', () => {
    const result = run('--mirror', join(directory, 'mirror'), '--runs', join(directory, 'missing.json'));
    assert.match(
      result.stderr,
      /no mirror of nobody\/gone at .*; get one with: git clone --mirror https:\/\/github\.com\/nobody\/gone /,
    );
    assert.match(result.stdout, /\| web\/k8s \| [0-9a-f]{12} \| skipped: no mirror/);
    const rows = run(
      '--mirror',
      join(directory, 'mirror'),
      '--runs',
      join(directory, 'missing.json'),
      '--unjudged',
    );
    assert.match(rows.stderr, /evaluate: run web\/k8s skipped: no mirror/, 'said where the rows go too');
  });
});
