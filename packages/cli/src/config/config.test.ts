import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../lint/registry.js';
import { InputError } from '../output/errors.js';
import { cliRoot, repoRoot, runCli } from '../testing/helpers.js';
import { globToRegExp, parseConfig, withConfig } from './config.js';

const known = new Set(ALL_RULES.map((rule) => rule.id));

function expectError(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseConfig('.lameduck.yaml', text, known),
    (error: unknown) => error instanceof InputError && pattern.test(error.format()),
  );
}

describe('.lameduck.yaml', () => {
  it('reads an unquoted kubeVersion as written: 1.30 is 1.30, not the number 1.3', () => {
    assert.deepEqual(parseConfig('.lameduck.yaml', 'kubeVersion: 1.30\n', known).flags, {
      kubeVersion: '1.30',
    });
  });

  it('reports a bad value under its key, at its line in the file, not as a flag', () => {
    expectError(
      'kubeVersion: "1.29"\nnodes: forty\n',
      /^\.lameduck\.yaml:2:8: nodes "forty" must be a whole number/,
    );
    expectError('drainSeconds: soon\n', /^\.lameduck\.yaml:1:15: drainSeconds "soon" is not a duration/);
    expectError('kubeVersion: latest\n', /^\.lameduck\.yaml:1:14: kubeVersion "latest" is not a version/);
  });

  it('reads every key the shipped JSON schema declares', async () => {
    const schema = JSON.parse(await readFile(`${cliRoot}schema/lameduck.schema.json`, 'utf8'));
    const config = parseConfig(
      '.lameduck.yaml',
      'kubeVersion: "1.31"\nnodes: 40\ndrainSeconds: 20\nbufferSeconds: 5\nrules:\n  single-replica: off\n  readiness-probe-missing: error\nimages:\n  registry.example.com/api: services/api/Dockerfile\nignore: ["charts/**"]\nhelm:\n  values: [ci/values.yaml]\n  set: [replicaCount=3]\n',
      known,
    );
    assert.deepEqual(Object.keys(schema.properties).sort(), [
      'bufferSeconds',
      'drainSeconds',
      'helm',
      'ignore',
      'images',
      'kubeVersion',
      'nodes',
      'profile',
      'rules',
    ]);
    assert.deepEqual(config.flags, { kubeVersion: '1.31', nodes: '40', drain: '20', buffer: '5' });
    assert.deepEqual(
      [...config.severities],
      [
        ['single-replica', 'off'],
        ['readiness-probe-missing', 'error'],
      ],
    );
    assert.equal(config.images.get('registry.example.com/api'), 'services/api/Dockerfile');
    assert.deepEqual(config.helm, { values: ['ci/values.yaml'], set: ['replicaCount=3'] });
  });

  it('reports a bad helm value at its line', () => {
    expectError(
      'helm:\n  values: ci/values.yaml\n',
      /^\.lameduck\.yaml:2:11: helm\.values must be a list of strings/,
    );
    expectError(
      'helm:\n  set: [replicaCount=3, replicaCount]\n',
      /^\.lameduck\.yaml:2:25: helm\.set "replicaCount" is not KEY=VALUE/,
    );
    expectError('helm: [a]\n', /^\.lameduck\.yaml:1:7: helm must be a mapping/);
    expectError(
      'helm:\n  valuse: []\n',
      /^\.lameduck\.yaml:2:\d+: unknown key "helm\.valuse"; helm takes values and set/,
    );
  });

  it('reports bad values at their line, with what to do', () => {
    expectError(
      'kubeVersion: "1.31"\nreplicas: 3\n',
      /^\.lameduck\.yaml:2:\d+: unknown key "replicas"; known keys: kubeVersion/,
    );
    expectError('rules:\n  no-such-rule: off\n', /^\.lameduck\.yaml:2:\d+: unknown rule "no-such-rule"/);
    expectError(
      'rules:\n  single-replica: loud\n',
      /^\.lameduck\.yaml:2:\d+: rule single-replica: "loud" is not one of error, warning, info, off/,
    );
    expectError('profile: huge\n', /^\.lameduck\.yaml:1:\d+: profile must be one of small, medium, large/);
    expectError('nodes: [1\n', /invalid YAML/);
  });

  it('globs: ** crosses directories, * stays in one', () => {
    assert.ok(globToRegExp('charts/**').test('charts/web/templates/deployment.yaml'));
    assert.ok(globToRegExp('**/testdata/**').test('a/b/testdata/x.yaml'));
    assert.ok(globToRegExp('*.yaml').test('deploy.yaml'));
    assert.ok(!globToRegExp('*.yaml').test('k8s/deploy.yaml'));
  });

  it('flags on the command line win over the file; --nodes replaces the file profile', () => {
    const config = parseConfig('.lameduck.yaml', 'profile: large\nkubeVersion: "1.29"\n', known);
    assert.deepEqual(withConfig({ nodes: '10' }, config), { kubeVersion: '1.29', nodes: '10' });
    assert.deepEqual(withConfig({ kubeVersion: '1.33' }, config), { profile: 'large', kubeVersion: '1.33' });
  });

  it('lint applies severities, off and ignore from --config', async () => {
    const dir = await mkdtemp(`${tmpdir()}/lameduck-config-`);
    await mkdir(`${dir}/vendor`);
    const manifest = await readFile(`${repoRoot}examples/default-grace/deployment.yaml`, 'utf8');
    await writeFile(`${dir}/app.yaml`, manifest);
    await writeFile(`${dir}/vendor/other.yaml`, manifest);
    await writeFile(
      `${dir}/lameduck.yaml`,
      `rules:\n  grace-period-exceeded: warning\n  prestop-exec-sleep-prefer-native: off\nignore: ["${dir}/vendor/**"]\n`,
    );
    const run = await runCli(['lint', dir, '--config', `${dir}/lameduck.yaml`, '--format', 'json']);
    const findings = JSON.parse(run.stdout).findings as { rule: string; severity: string; file: string }[];
    assert.equal(run.code, 0, 'no error left at the default --fail-on');
    assert.ok(
      findings.every((f) => f.file.endsWith('app.yaml')),
      'vendor/ is ignored',
    );
    assert.equal(findings.find((f) => f.rule === 'grace-period-exceeded')?.severity, 'warning');
    assert.equal(
      findings.find((f) => f.rule === 'prestop-exec-sleep-prefer-native'),
      undefined,
    );
  });
});
