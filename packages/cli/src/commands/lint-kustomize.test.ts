/**
 * lint and fix on kustomize overlays with the real kustomize (scripts/tools/build.sh builds it):
 * findings on the base or patch line a person edits, a base's finding once with its overlays.
 */
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { builtTool, fixture, runBin, scratchDirectories } from '../testing/helpers.js';

const overlays = 'packages/cli/test/fixtures/lint/kustomize-overlays';
const scratch = scratchDirectories('lameduck-lint-kustomize-');
const env = () => ({ PATH: `${dirname(builtTool('kustomize'))}:${process.env.PATH}` });

describe('lameduck lint: kustomize overlays, rendered by the real kustomize', () => {
  it("JSON points at the base and patch lines, a base's finding once naming both overlays", async () => {
    const run = await runBin(['lint', overlays, '--format', 'json'], { env: env() });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout).findings as {
      rule: string;
      file: string;
      line: number;
      column: number;
      renderedBy: string[];
    }[];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.file, f.line, f.column, f.renderedBy]),
      [
        [
          'prestop-missing',
          `${overlays}/base/deployment.yaml`,
          16,
          11,
          [`${overlays}/overlays/prod`, `${overlays}/overlays/staging`],
        ],
        // prod's strategic merge patch, and staging's inline JSON 6902 patch, own their problems.
        [
          'grace-period-below-workload',
          `${overlays}/overlays/prod/grace.yaml`,
          9,
          7,
          [`${overlays}/overlays/prod`],
        ],
        [
          'single-replica',
          `${overlays}/overlays/staging/kustomization.yaml`,
          10,
          9,
          [`${overlays}/overlays/staging`],
        ],
      ],
    );
  });

  it('a container a component appends with a JSON 6902 `containers/-` is found in that patch', async () => {
    const component = 'packages/cli/test/fixtures/lint/kustomize-component';
    const run = await runBin(['lint', component, '--format', 'json', '--kube-version', '1.31'], {
      env: env(),
    });
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout).findings as { rule: string; file: string; line: number }[];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.file, f.line]),
      [['classic-sidecar-exits-first', `${component}/components/db-proxy/add-container.yaml`, 4]],
    );
  });

  it("a patch that names `worker` is not `precise-code-intel-worker`'s: each finding on its own patch, none lost", async () => {
    const sized = 'packages/cli/test/fixtures/lint/kustomize-suffix-names';
    const run = await runBin(['lint', sized, '--format', 'json'], { env: env() });
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout).findings as {
      rule: string;
      file: string;
      line: number;
      object: { name: string };
    }[];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.file, f.line, f.object.name]),
      [
        ['single-replica', `${sized}/sized/kustomization.yaml`, 10, 'precise-code-intel-worker'],
        ['single-replica', `${sized}/sized/kustomization.yaml`, 15, 'worker'],
      ],
    );
  });

  it('SARIF anchors every result on the real file and says which overlays have it', async () => {
    const run = await runBin(['lint', overlays, '--format', 'sarif'], { env: env() });
    const results = JSON.parse(run.stdout).runs[0].results as {
      ruleId: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[];
    }[];
    assert.deepEqual(
      results.map((r) => [
        r.ruleId,
        r.locations[0]?.physicalLocation.artifactLocation.uri,
        r.locations[0]?.physicalLocation.region,
      ]),
      [
        ['prestop-missing', `${overlays}/base/deployment.yaml`, { startLine: 16, startColumn: 11 }],
        [
          'grace-period-below-workload',
          `${overlays}/overlays/prod/grace.yaml`,
          { startLine: 9, startColumn: 7 },
        ],
        [
          'single-replica',
          `${overlays}/overlays/staging/kustomization.yaml`,
          { startLine: 10, startColumn: 9 },
        ],
      ],
    );
    assert.match(
      results[0]?.message.text ?? '',
      /\(in overlays: \S+overlays\/prod, \S+overlays\/staging\)\. Fix: /,
    );
  });

  it('a GitHub annotation lands on the base file, and the text format frames its line', async () => {
    const github = await runBin(['lint', overlays, '--format', 'github'], { env: env() });
    assert.match(
      github.stdout,
      /^::error file=packages\/cli\/test\/fixtures\/lint\/kustomize-overlays\/base\/deployment\.yaml,line=16,col=11,title=lameduck prestop-missing::/m,
    );
    const text = await runBin(['lint', overlays], { env: env() });
    assert.match(text.stdout, /> 16 \| {9}- name: app/);
    assert.doesNotMatch(text.stdout, /kustomize build\)/, 'no finding is left on the rendered output');
  });

  it('fix writes no file and names the lines to change in the base and the patch', async () => {
    const dir = await scratch();
    await cp(fixture('lint/kustomize-overlays'), dir, { recursive: true });
    const before = await readFile(join(dir, 'base/deployment.yaml'), 'utf8');
    const run = await runBin(['fix', dir], { env: env() });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /overlays\/prod \(kustomize build\): rendered output cannot be fixed in place; change \S+\/base\/deployment\.yaml:16 \(prestop-missing\), \S+\/overlays\/prod\/grace\.yaml:9 \(grace-period-below-workload\) /,
    );
    assert.match(
      run.stderr,
      /overlays\/staging \(kustomize build\): rendered output cannot be fixed in place; change \S+\/base\/deployment\.yaml:16 \(prestop-missing\) /,
    );
    assert.equal(await readFile(join(dir, 'base/deployment.yaml'), 'utf8'), before);
  });
});
