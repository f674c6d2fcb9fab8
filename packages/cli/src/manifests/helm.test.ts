/**
 * Helm charts read as users write them, with the real helm (built by scripts/tools/build.sh): the
 * fixture chart has templates with actions, a values file and a sub-chart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Finding } from '../lint/engine.js';
import {
  builtTool,
  fixture,
  runBin,
  runCli,
  scratchDirectories,
  writeHelmChart,
} from '../testing/helpers.js';

const charts = fixture('helm');
const shop = join(charts, 'shop');
const deployment = join(shop, 'templates/deployment.yaml');
const cacheDeployment = join(shop, 'charts/cache/templates/deployment.yaml');
const scratch = scratchDirectories('lameduck-helm-');

async function lintJson(
  args: readonly string[],
): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  const run = await runCli(['lint', ...args, '--format', 'json']);
  return { code: run.code, findings: JSON.parse(run.stdout).findings, stderr: run.stderr };
}

const at = (findings: readonly Finding[]) => findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`);

before(() => {
  builtTool('helm');
});

describe('lint: Helm charts', () => {
  it('renders a chart with helm template and places findings on the template lines they came from', async () => {
    const { code, findings, stderr } = await lintJson([charts]);
    assert.equal(stderr, '');
    assert.equal(code, 1);
    // No grace-period-below-workload: a default grace with no preStop is prestop-missing's to report.
    assert.deepEqual(at(findings), [
      `prestop-missing ${cacheDeployment}:16:11`,
      `readiness-probe-missing ${cacheDeployment}:16:11`,
      `single-replica ${deployment}:8:3`,
      `prestop-missing ${deployment}:21:11`,
    ]);
    // The sub-chart is rendered by its parent only: one shop-cache, named by the parent's release.
    assert.deepEqual(
      findings.filter((f) => f.rule === 'prestop-missing').map((f) => f.object.name),
      ['shop-cache', 'shop-web'],
    );
  });

  it('places an object a template only includes (a range over components) in the named template that writes it', async () => {
    const root = await writeHelmChart(await scratch(), {
      'values.yaml': 'components:\n  cart: {port: 8080}\n  shop: {port: 9090}\n',
      'templates/component.yaml': `{{- range $name, $config := .Values.components }}
---
{{ include "demo.deployment" (dict "name" $name "config" $config) }}
{{- end }}
`,
      'templates/_objects.tpl': `{{/* Every component's Deployment. */}}
{{- define "demo.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: {{ .name }}
          image: {{ .name }}:1
          ports:
            - name: http
              containerPort: {{ .config.port }}
{{- end }}
`,
    });
    const { findings } = await lintJson([root]);
    const objects = join(root, 'templates/_objects.tpl');
    assert.deepEqual(
      findings.filter((f) => f.rule === 'prestop-missing').map((f) => `${f.object.name} ${f.file}:${f.line}`),
      [`cart ${objects}:12`, `shop ${objects}:12`],
    );
  });

  it('SARIF and GitHub annotations anchor on the template file', async () => {
    const sarif = JSON.parse((await runCli(['lint', charts, '--format', 'sarif'])).stdout);
    const locations = sarif.runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    assert.ok(locations.length > 0);
    for (const uri of locations) assert.match(uri, /shop\/(?:charts\/cache\/)?templates\/deployment\.yaml$/);
    const github = (await runCli(['lint', charts, '--format', 'github'])).stdout;
    assert.match(
      github,
      /^::error file=.*shop\/templates\/deployment\.yaml,line=21,col=11,title=lameduck prestop-missing::/m,
    );
  });

  it('values files and --set change what is rendered, from the flags and from .lameduck.yaml', async () => {
    const prod = await lintJson([charts, '--helm-values', join(shop, 'values-prod.yaml')]);
    assert.deepEqual(
      prod.findings.filter((f) => f.object.name === 'shop-web').map((f) => f.rule),
      [],
    );
    const set = await lintJson([charts, '--helm-set', 'replicaCount=2']);
    assert.ok(!set.findings.some((f) => f.rule === 'single-replica'));
    assert.ok(set.findings.some((f) => f.rule === 'prestop-missing' && f.object.name === 'shop-web'));
    // The file's values come first; the command line's win.
    const config = join(await scratch(), '.lameduck.yaml');
    await writeFile(config, `helm:\n  values: [${join(shop, 'values-prod.yaml')}]\n`);
    const fromConfig = await lintJson([charts, '--config', config]);
    assert.ok(!fromConfig.findings.some((f) => f.object.name === 'shop-web'));
    const overridden = await lintJson([charts, '--config', config, '--helm-set', 'replicaCount=1']);
    assert.deepEqual(
      overridden.findings.filter((f) => f.object.name === 'shop-web').map((f) => f.rule),
      ['single-replica'],
    );
  });

  it('a # lameduck-ignore comment in the template suppresses the finding placed under it', async () => {
    const pod = (ignore: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n${ignore}    - name: {{ .Chart.Name }}\n      image: web:1\n      ports: [{containerPort: 80}]\n`;
    const plain = await lintJson([await writeHelmChart(await scratch(), { 'templates/pod.yaml': pod('') })]);
    assert.ok(plain.findings.some((f) => f.rule === 'prestop-missing'));
    const ignored = await lintJson([
      await writeHelmChart(await scratch(), {
        'templates/pod.yaml': pod(
          '    {{- /* the proxy in front drains it */}}\n    # lameduck-ignore prestop-missing\n',
        ),
      }),
    ]);
    assert.deepEqual(
      ignored.findings.filter((f) => f.rule === 'prestop-missing'),
      [],
    );
  });

  it('a sub-chart packaged as .tgz has no template on disk: its findings stay in the rendered output', async () => {
    const helm = builtTool('helm');
    const sub = await writeHelmChart(await scratch(), {
      'templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: packaged\nspec:\n  containers: [{name: web, image: web:1, ports: [{containerPort: 80}]}]\n',
    });
    const parent = await writeHelmChart(
      await scratch(),
      {},
      'dependencies:\n  - name: demo\n    version: 0.1.0\n',
    );
    execFileSync(helm, ['package', sub, '--destination', join(parent, 'charts')], { stdio: 'ignore' });
    const { findings } = await lintJson([parent]);
    assert.ok(findings.length > 0);
    assert.deepEqual([...new Set(findings.map((f) => f.file))], [`${parent} (helm template)`]);
  });

  it('a library chart renders nothing of its own, and is no error', async () => {
    const chart = await writeHelmChart(
      await scratch(),
      { 'templates/_lib.tpl': '{{- define "lib.pod" }}apiVersion: v1\nkind: Pod{{ end }}\n' },
      'type: library\n',
    );
    const run = await runCli(['lint', chart, '--format', 'json']);
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
  });

  it('a chart whose Chart.yaml is ignored in .lameduck.yaml is not rendered, nor read', async () => {
    const config = join(await scratch(), '.lameduck.yaml');
    await writeFile(config, 'ignore: ["**/shop/Chart.yaml"]\n');
    const run = await runCli(['lint', charts, '--config', config, '--format', 'json']);
    assert.equal(run.stderr, '');
    assert.deepEqual(JSON.parse(run.stdout).findings, []);
  });

  it('renders for the target Kubernetes version (.Capabilities.KubeVersion)', async () => {
    const chart = await writeHelmChart(await scratch(), {
      'templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: web:1\n      ports: [{containerPort: 8080}]\n      {{- if semverCompare ">=1.33-0" .Capabilities.KubeVersion.Version }}\n      lifecycle: {preStop: {sleep: {seconds: 10}}}\n      {{- end }}\n',
    });
    const old = await lintJson([chart, '--kube-version', '1.30']);
    assert.ok(old.findings.some((f) => f.rule === 'prestop-missing'));
    const recent = await lintJson([chart, '--kube-version', '1.33']);
    assert.ok(!recent.findings.some((f) => f.rule === 'prestop-missing'));
  });

  it('a chart whose kubeVersion refuses the targeted version: one error at that line, naming --kube-version', async () => {
    const chart = await writeHelmChart(
      await scratch(),
      { 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' },
      'kubeVersion: ">= 1.32.0-0"\n',
    );
    const run = await runCli(['lint', chart, '--kube-version', '1.30']);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^lameduck lint: .*\/Chart\.yaml:4:1: the chart requires Kubernetes >= 1\.32\.0-0, and lint targets v1\.30; pass the cluster's version with --kube-version/,
    );
    assert.equal((await runCli(['lint', chart, '--kube-version', '1.33'])).code, 0);
  });

  it('a dependency missing from charts/ is one error at its line in Chart.yaml, and nothing is fetched', async () => {
    const chart = await writeHelmChart(
      await scratch(),
      { 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' },
      'dependencies:\n  - name: redis\n    version: 19.0.0\n    repository: https://charts.bitnami.com/bitnami\n  - name: redis\n    alias: cache\n    version: 19.0.0\n    repository: https://charts.bitnami.com/bitnami\n',
    );
    const run = await runCli(['lint', chart]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `lameduck lint: ${chart}/Chart.yaml:5:1: dependencies missing from charts/: redis; lameduck fetches nothing; run helm dependency build ${chart} (it downloads them), then lint again; helm template fails the same way until then\n`,
    );
  });

  it('missing dependencies the values switch off are left out of a copy that renders, and lint says so', async () => {
    const chart = await writeHelmChart(
      await scratch(),
      {
        'templates/deployment.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n          ports: [{name: http, containerPort: 8080}]\n',
        'values.yaml': 'redis-ha:\n  enabled: false\n',
        'Chart.lock': 'dependencies:\n- name: redis-ha\n  version: 4.0.0\n',
      },
      'dependencies:\n  - name: redis-ha\n    version: 4.0.0\n    repository: https://dandydeveloper.github.io/charts/\n    condition: redis-ha.enabled\n',
    );
    const off = await lintJson([chart]);
    assert.equal(
      off.stderr,
      `lameduck lint: note: ${chart}: rendered without redis-ha, which charts/ lacks and the values switch off (their condition is false)\n`,
    );
    assert.deepEqual(
      at(off.findings).filter((f) => f.startsWith('prestop-missing')),
      [`prestop-missing ${chart}/templates/deployment.yaml:9:11`],
    );
    assert.equal(
      await readFile(join(chart, 'Chart.lock'), 'utf8').then(Boolean),
      true,
      'the chart itself is untouched',
    );
    // Switched on, it is the error it was: lameduck fetches nothing.
    const on = await runCli(['lint', chart, '--helm-set', 'redis-ha.enabled=true']);
    assert.equal(on.code, 2);
    assert.match(on.stderr, /dependencies missing from charts\/: redis-ha; lameduck fetches nothing/);
  });

  it('without helm: one note, the chart files are not linted as manifests, everything else is', async () => {
    const root = await scratch();
    await writeFile(
      join(root, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\nspec:\n  containers: [{name: web, image: web:1, ports: [{containerPort: 80}]}]\n',
    );
    const emptyCache = await scratch();
    const run = await runBin(['lint', root, charts, '--format', 'json'], {
      env: { PATH: emptyCache, LAMEDUCK_CACHE: emptyCache },
    });
    const notes = run.stderr.split('\n').filter(Boolean);
    assert.deepEqual(notes, [
      `lameduck lint: note: helm is not installed, so the Helm chart(s) ${shop} are not linted (their templates are not YAML until rendered); install helm, or run: helm template DIR | lameduck lint -`,
    ]);
    const findings: Finding[] = JSON.parse(run.stdout).findings;
    assert.ok(findings.length > 0);
    assert.ok(findings.every((f) => f.file === join(root, 'pod.yaml')));
  });

  it('a chart under a kustomization is rendered on its own; a kustomization inside a chart is not', async () => {
    const root = await scratch();
    await writeFile(join(root, 'kustomization.yaml'), 'resources: [deploy.yaml]\n');
    await writeFile(
      join(root, 'deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: app:1, ports: [{containerPort: 80}]}]\n',
    );
    const chart = await writeHelmChart(root, {
      'templates/pod.yaml': `apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-pod\nspec:\n  containers:\n    - name: web\n      image: web:1\n      ports: [{containerPort: 80}]\n`,
      'post-render/kustomization.yaml': 'resources: [all.yaml]\n',
    });
    // The real kustomize renders the kustomization (its findings land on deploy.yaml).
    const run = await runBin(['lint', root, '--format', 'json'], {
      env: { PATH: `${dirname(builtTool('kustomize'))}:${process.env.PATH}` },
    });
    assert.equal(run.stderr, '');
    const findings: Finding[] = JSON.parse(run.stdout).findings;
    const objects = [...new Set(findings.map((f) => `${f.object.name} ${f.file}`))].sort();
    assert.deepEqual(objects, [
      `demo-pod ${join(chart, 'templates/pod.yaml')}`,
      `web ${join(root, 'deploy.yaml')}`,
    ]);
  });

  it('fix never writes a chart: it names the template lines and shows what the chart should render', async () => {
    const before = await readFile(deployment, 'utf8');
    const run = await runCli(['fix', charts]);
    assert.equal(run.code, 0);
    assert.equal(await readFile(deployment, 'utf8'), before);
    assert.match(
      run.stderr,
      new RegExp(
        `note: ${shop} \\(helm template\\): a Helm chart's rendered output, which fix does not write; change the values or templates at .*${deployment}:21 \\(prestop-missing\\)`,
      ),
    );
    assert.match(run.stderr, /^\+ {10}lifecycle:\n\+ {12}preStop:\n\+ {14}sleep:\n\+ {16}seconds: 15$/m);
  });

  it('plan reads a chart and names the template', async () => {
    const run = await runCli(['plan', '-f', shop, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const plans = JSON.parse(run.stdout).workloads as {
      file: string;
      line: number;
      object: { name: string };
    }[];
    assert.deepEqual(
      plans.map((p) => `${p.object.name} ${p.file}:${p.line}`),
      [`shop-cache ${cacheDeployment}:1`, `shop-web ${deployment}:1`],
    );
  });
});
