/**
 * Helm charts as an attacker would shape them, rendered by the real helm: a template that fails, one
 * that renders forever or without end, and a forged `# Source:` comment that points outside the
 * chart. Each ends in one clear line or a bounded run, and nothing outside the chart is read.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readCharts } from '../manifests/helm.js';
import { builtTool, runCli, scratchDirectories, writeHelmChart } from '../testing/helpers.js';

const scratch = scratchDirectories('lameduck-hostile-chart-');

before(() => {
  builtTool('helm');
});

describe('hostile charts', () => {
  it('a template that calls fail is one error at the template line, with helm message', async () => {
    const chart = await writeHelmChart(await scratch(), {
      'templates/x.yaml': 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: {{ fail "no, not like this" }}\n',
    });
    const run = await runCli(['lint', chart]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `lameduck lint: ${chart}/templates/x.yaml:4:8: helm template failed: execution error at (demo/templates/x.yaml:4:8): no, not like this; fix the template or the values it reads\n`,
    );
  });

  it('a chart that renders forever is stopped at the time limit', async () => {
    const chart = await writeHelmChart(await scratch(), {
      'templates/x.yaml':
        '{{- range until 10000 }}{{- range until 10000 }}{{- range until 10000 }}{{- end }}{{- end }}{{- end }}\n',
    });
    const started = Date.now();
    const read = await readCharts([join(chart, 'Chart.yaml')], {}, [], {
      timeoutMs: 2000,
      maxBytes: 1024 * 1024,
    });
    assert.ok(Date.now() - started < 6000, `${Date.now() - started} ms`);
    assert.deepEqual(
      read.errors.map((e) => e.format()),
      [
        `${chart}/Chart.yaml: helm template took more than 2 s; check the chart's loops and the values given, or lint the rendered output: helm template ${chart} | lameduck lint -`,
      ],
    );
  });

  it('a chart that renders more than the limit is stopped there', async () => {
    const chart = await writeHelmChart(await scratch(), {
      'templates/x.yaml': `{{- range until 100000 }}\n# ${'x'.repeat(100)}\n{{- end }}\n`,
    });
    const read = await readCharts([join(chart, 'Chart.yaml')], {}, [], {
      timeoutMs: 20_000,
      maxBytes: 1024 * 1024,
    });
    assert.deepEqual(
      read.errors.map((e) => e.message),
      ['helm template wrote more than 1 MB'],
    );
    assert.deepEqual(read.sources, []);
  });

  it('a forged # Source: comment that leaves the chart reads nothing outside it', async () => {
    const chart = await writeHelmChart(await scratch(), {
      'templates/pod.yaml':
        '# Source: demo/../secret.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 80}]}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
    });
    await writeFile(join(dirname(chart), 'secret.yaml'), 'SECRET-TOKEN\n'.repeat(30));
    const run = await runCli(['lint', chart]);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, /SECRET-TOKEN/);
    assert.match(run.stdout, /chart \(helm template\)/);
  });
});
