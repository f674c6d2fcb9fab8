import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { binPath, fixture, repoRoot, runBin, runCli, scratchDirectories } from '../testing/helpers.js';

const scratch = scratchDirectories('lameduck-lint-');
const defaultGrace = `${repoRoot}examples/default-grace/deployment.yaml`;
const guide = `${repoRoot}examples/guide/deployment.yaml`;

describe('lameduck lint', () => {
  it("the guide's complete configuration lints clean at the default settings, exit 0", async () => {
    const run = await runCli(['lint', guide]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /No termination problems in 1 object\(s\) from 1 file\(s\)\./);
  });

  it('finds the grace-period error at its exact line with a code frame, exit 1', async () => {
    const run = await runCli(['lint', defaultGrace]);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /19:5 +error +SIGKILL arrives at t=30s, 5s before the 20s drain ends: in-flight requests are cut \(exit code 137\) +\[grace-period-exceeded\]/,
    );
    assert.match(run.stdout, /> 19 \| {5}spec:\n {9}\| {5}\^/);
  });

  it('a large input (parsed on worker threads) gives every finding at its own line, in every format, quickly', async () => {
    const dir = await scratch();
    const one = await readFile(defaultGrace, 'utf8');
    const copies = Array.from({ length: 1000 }, (_, i) =>
      one.replace('name: checkout', `name: checkout-${i}`),
    );
    const text = copies.join('---\n');
    await writeFile(join(dir, 'large.yaml'), text);
    const timed = async (args: string[]) => {
      const started = performance.now();
      return { run: await runBin(args), ms: performance.now() - started };
    };
    const { run: json, ms: jsonMs } = await timed(['lint', join(dir, 'large.yaml'), '--format', 'json']);
    const report = JSON.parse(json.stdout);
    assert.equal(report.summary.objects, 1000);
    const errors = report.findings.filter((f: { rule: string }) => f.rule === 'grace-period-exceeded');
    const lineOfCopy = (i: number) => copies.slice(0, i).reduce((n, copy) => n + copy.split('\n').length, 0);
    assert.deepEqual(
      errors.map((f: { line: number; object: { name: string } }) => [f.object.name, f.line]),
      copies.map((_, i) => [`checkout-${i}`, lineOfCopy(i) + 19]),
    );
    // Code frames once split the whole file per finding: 5x the JSON run here, minutes at 10 MB.
    const { run: plain, ms: textMs } = await timed(['lint', join(dir, 'large.yaml')]);
    assert.equal(plain.stdout.split('[grace-period-exceeded]').length - 1, 1000);
    assert.ok(textMs < 2.5 * jsonMs, `text ${Math.round(textMs)} ms, JSON ${Math.round(jsonMs)} ms`);
  });

  it('after an input error, says how many inputs could not be read instead of "no problems"', async () => {
    const run = await runCli(['lint', 'no/such/deploy.yaml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /lameduck lint: .*no\/such\/deploy\.yaml/);
    assert.doesNotMatch(run.stdout, /No termination problems/);
    assert.match(
      run.stdout,
      /^1 input\(s\) could not be read \(see the errors above\); no termination problems in 0 object\(s\) from 0 file\(s\)\.$/m,
    );
    const json = JSON.parse((await runCli(['lint', 'no/such/deploy.yaml', '--format', 'json'])).stdout);
    assert.equal(json.summary.unreadable, 1);
  });

  it('--fail-on decides the exit code: warnings fail only with --fail-on warning', async () => {
    const dir = await scratch();
    const text = (await readFile(guide, 'utf8')).replace('maxUnavailable: 0 #', 'maxUnavailable: 3 #');
    await writeFile(`${dir}/d.yaml`, text);
    assert.equal((await runCli(['lint', `${dir}/d.yaml`])).code, 0);
    assert.equal((await runCli(['lint', `${dir}/d.yaml`, '--fail-on', 'warning'])).code, 1);
  });

  it('JSON output has the documented shape', async () => {
    const run = await runCli(['lint', defaultGrace, '--format', 'json']);
    const json = JSON.parse(run.stdout);
    assert.deepEqual(json.summary, { files: 1, objects: 1, errors: 1, warnings: 0, infos: 2, unreadable: 0 });
    const error = json.findings.find((f: { rule: string }) => f.rule === 'grace-period-exceeded');
    assert.deepEqual(Object.keys(error), [
      'rule',
      'severity',
      'file',
      'line',
      'column',
      'object',
      'message',
      'messageId',
      'data',
      'fix',
    ]);
    assert.equal(error.messageId, 'grace-period-exceeded/drainCut');
    assert.deepEqual(error.data, { sigkill: '30s', short: '5s', drain: '20s' });
    assert.deepEqual(error.object, {
      kind: 'Deployment',
      name: 'checkout',
      namespace: 'shop',
      container: 'api',
    });
    assert.deepEqual([error.line, error.column, error.severity], [19, 5, 'error']);
  });

  it('SARIF 2.1.0 names every rule and places every result', async () => {
    const run = await runCli(['lint', defaultGrace, '--format', 'sarif']);
    const sarif = JSON.parse(run.stdout);
    assert.equal(sarif.version, '2.1.0');
    const [runLog] = sarif.runs;
    assert.equal(runLog.tool.driver.name, 'lameduck');
    assert.ok(runLog.tool.driver.rules.length >= 14);
    const result = runLog.results.find((r: { ruleId: string }) => r.ruleId === 'grace-period-exceeded');
    assert.equal(runLog.tool.driver.rules[result.ruleIndex].id, 'grace-period-exceeded');
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 19, startColumn: 5 });
    // The message's id and arguments fill the rule's message string to the same text.
    assert.equal(result.message.id, 'drainCut');
    const template: string = runLog.tool.driver.rules[result.ruleIndex].messageStrings.drainCut.text;
    const filled = template.replace(/\{(\d+)\}/g, (_, i) => result.message.arguments[Number(i)]);
    assert.ok(result.message.text.startsWith(filled), `${filled} / ${result.message.text}`);
  });

  it("SARIF is valid for Microsoft's SARIF validator (schema and rules), relative and absolute paths alike", async (t) => {
    const validator = sarifValidator();
    if (!validator) {
      if (process.env.CI === 'true')
        assert.fail('the SARIF validator (@microsoft/sarif-multitool) is not installed');
      t.skip('@microsoft/sarif-multitool has no binary for this platform');
      return;
    }
    const dir = await scratch();
    // Relative paths from the repository, including kustomize output whose name has spaces.
    const relative = spawnSync(
      process.execPath,
      [binPath, 'lint', 'packages/cli/test/fixtures', '--format', 'sarif'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    const absolute = await runCli(['lint', defaultGrace, '--format', 'sarif']);
    const outputs: [string, string][] = [
      ['relative', relative.stdout],
      ['absolute', absolute.stdout],
    ];
    for (const [name, text] of outputs) {
      assert.ok(JSON.parse(text).runs[0].results.length > 0, `${name}: has results`);
      const input = join(dir, `${name}.sarif`);
      const output = join(dir, `${name}.validation.sarif`);
      await writeFile(input, text);
      const validation: SpawnSyncReturns<string> = spawnSync(
        validator,
        ['validate', input, '--output', output, '--quiet'],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(validation.status, 0, validation.stdout + validation.stderr);
      const problems = JSON.parse(await readFile(output, 'utf8')).runs[0].results;
      assert.deepEqual(
        problems.map(
          (r: { ruleId: string; message: { text?: string; arguments?: string[] } }) =>
            `${r.ruleId} ${r.message.text ?? r.message.arguments?.join(' ')}`,
        ),
        [],
        `${name}: no validation problems`,
      );
    }
  });

  it('github format prints workflow annotations on the exact line, escaped', async () => {
    const run = await runCli(['lint', defaultGrace, '--format', 'github']);
    const line = run.stdout.split('\n').find((l) => l.includes('grace-period-exceeded')) ?? '';
    assert.match(
      line,
      /^::error file=.*default-grace\/deployment\.yaml,line=19,col=5,title=lameduck grace-period-exceeded::SIGKILL arrives/,
    );
    assert.match(line, /%0Afix: terminationGracePeriodSeconds: 45/);
  });

  it('suppressions: lameduck.dev/ignore on the object and # lameduck-ignore on the line above', async () => {
    const run = await runCli(['lint', fixture('lint/suppressed.yaml'), '--format', 'json']);
    assert.deepEqual(
      JSON.parse(run.stdout).findings.map((f: { rule: string }) => f.rule),
      [],
    );
  });

  it('reads stdin with -, as in helm template | lameduck lint -', async () => {
    const run = await runBin(['lint', '-', '--format', 'json'], {
      stdin: await readFile(defaultGrace, 'utf8'),
    });
    assert.equal(run.code, 1);
    assert.equal(JSON.parse(run.stdout).findings[0].file, '<stdin>');
  });

  it('bad input is reported and the run goes on: exit 2 with the other files still linted', async () => {
    const run = await runCli([
      'lint',
      fixture('plan/invalid.yaml'),
      fixture('plan/helm-template.yaml'),
      defaultGrace,
      '--format',
      'json',
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /invalid\.yaml:\d+:\d+: invalid YAML/);
    assert.match(run.stderr, /helm-template\.yaml:4:1: unrendered Helm template/);
    assert.equal(JSON.parse(run.stdout).summary.errors, 1);
  });
});

describe('lameduck lint: Dockerfiles and entrypoint scripts', () => {
  it('walks a build context: finds the Dockerfile and reports the script it copies in, at the script line', async () => {
    const run = await runCli(['lint', fixture('lint/docker-app'), '--format', 'json']);
    const findings = JSON.parse(run.stdout).findings.map(
      (f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file.split('/').pop()}:${f.line}`,
    );
    assert.deepEqual(findings, ['entrypoint-missing-exec docker-entrypoint.sh:5']);
    assert.equal(run.code, 0, 'a warning does not fail at the default --fail-on error');
  });

  it('follows a script that COPY . . brought in, also once fix has put CMD in exec form', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'Dockerfile'), 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ./run.sh\n');
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh\n./migrate\ngunicorn -b 0.0.0.0:8000 app:app\n');
    const rules = async () =>
      JSON.parse((await runCli(['lint', dir, '--format', 'json'])).stdout).findings.map(
        (f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file.split('/').pop()}:${f.line}`,
      );
    assert.deepEqual(await rules(), ['dockerfile-shell-form Dockerfile:4']);
    assert.equal((await runCli(['fix', dir])).code, 0);
    assert.equal(
      await readFile(join(dir, 'Dockerfile'), 'utf8'),
      'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["./run.sh"]\n',
    );
    // The shell is still PID 1: now inside the script, which lint follows.
    assert.deepEqual(await rules(), ['entrypoint-missing-exec run.sh:3']);
  });
});

describe('lameduck lint: a build context above the Dockerfile', () => {
  it('finds the script a Dockerfile in build/ copies from the repository root (docker build -f build/Dockerfile .), not above the working directory', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'build'));
    await writeFile(
      join(dir, 'build', 'Dockerfile.nginx'),
      'FROM alpine:3.23\nRUN apk add nginx\nCOPY build/entrypoint.sh /agent/entrypoint.sh\nENTRYPOINT ["/agent/entrypoint.sh"]\n',
    );
    await writeFile(join(dir, 'build', 'entrypoint.sh'), '#!/bin/sh\n/usr/sbin/nginx -g "daemon off;"\n');
    const rules = async (cwd: string, path: string) =>
      JSON.parse((await runBin(['lint', path, '--format', 'json'], { cwd })).stdout)
        .findings.map((f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file}:${f.line}`)
        .sort();
    assert.deepEqual(await rules(dir, '.'), [
      'dockerfile-nginx-stopsignal build/Dockerfile.nginx:1',
      'entrypoint-missing-exec build/entrypoint.sh:2',
    ]);
    // From inside build/, the root is above the working directory: lint does not read there.
    assert.deepEqual(await rules(join(dir, 'build'), '.'), []);
  });
});

describe('lameduck lint: only a shell script is followed as one', () => {
  it('CMD ["index.js"] on a distroless Node image runs the file with node: no entrypoint-missing-exec on JavaScript', async () => {
    const dir = await scratch();
    await writeFile(
      join(dir, 'Dockerfile'),
      'FROM gcr.io/distroless/nodejs22-debian12\nCOPY index.js index.js\nCMD ["index.js"]\n',
    );
    await writeFile(
      join(dir, 'index.js'),
      "require('http').createServer().listen(8080);\nprocess.once('SIGTERM', () => process.exit(0));\n",
    );
    const run = await runCli(['lint', dir, '--format', 'json']);
    assert.deepEqual(
      JSON.parse(run.stdout)
        .findings.map((f: { rule: string }) => f.rule)
        .filter((r: string) => r === 'entrypoint-missing-exec'),
      [],
    );
  });
});

describe('lameduck lint: images linked to the Dockerfiles that build them', () => {
  it('skaffold links the api image to a FROM scratch Dockerfile, and the name links the proxy to one with STOPSIGNAL SIGQUIT', async () => {
    const run = await runCli([
      'lint',
      fixture('lint/crossfile'),
      '--kube-version',
      '1.29',
      '--format',
      'json',
    ]);
    const findings = JSON.parse(run.stdout).findings as { rule: string; line: number; message: string }[];
    const shellLess = findings.filter((f) => f.rule === 'prestop-exec-sleep-in-shell-less-image');
    assert.equal(shellLess.length, 1);
    assert.equal(shellLess[0]?.line, 22);
    assert.match(
      shellLess[0]?.message ?? '',
      /registry\.example\.com\/api:1\.4\.0, built by .*services\/api\/Dockerfile \(linked by skaffold\.yaml; final stage FROM scratch\), does not contain/,
    );
    assert.deepEqual(
      findings.filter((f) => f.rule === 'nginx-fast-shutdown'),
      [],
    );
  });

  it('the images map of .lameduck.yaml links an image whose name matches no directory', async () => {
    const dir = await scratch();
    const dockerfile = fixture('lint/crossfile/services/api/Dockerfile');
    await writeFile(`${dir}/config.yaml`, `images:\n  registry.example.com/billing: ${dockerfile}\n`);
    await writeFile(
      `${dir}/pod.yaml`,
      'apiVersion: v1\nkind: Pod\nmetadata: {name: billing}\nspec:\n  containers:\n    - name: billing\n      image: registry.example.com/billing:7\n      lifecycle: {preStop: {exec: {command: ["sleep", "10"]}}}\n',
    );
    const run = await runCli([
      'lint',
      `${dir}/pod.yaml`,
      dockerfile,
      '--config',
      `${dir}/config.yaml`,
      '--format',
      'json',
    ]);
    const rules = JSON.parse(run.stdout).findings.map(
      (f: { rule: string; message: string }) => `${f.rule}: ${f.message}`,
    );
    assert.ok(
      rules.some((r: string) =>
        /^prestop-exec-sleep-in-shell-less-image: .*linked by the images map of \.lameduck\.yaml/.test(r),
      ),
      rules.join('\n'),
    );
  });
});

describe('lameduck lint: application server configs', () => {
  it('links application.yml to its service Dockerfile, that Dockerfile to the Deployment, and checks both rules (not the test resources)', async () => {
    const run = await runCli(['lint', fixture('lint/spring'), '--format', 'json']);
    const findings = JSON.parse(run.stdout).findings as {
      rule: string;
      file: string;
      line: number;
      message: string;
    }[];
    const app = findings.filter((f) => f.file.endsWith('application.yml')).map((f) => `${f.rule}:${f.line}`);
    assert.deepEqual(app.sort(), ['app-drain-exceeds-budget:5', 'spring-graceful-shutdown-off:1']);
    assert.equal(run.code, 1);
  });

  it('links application.properties to the Deployment of the image its Maven Jib plugin pushes (no Dockerfile)', async () => {
    const run = await runCli(['lint', fixture('lint/spring-jib'), '--format', 'json']);
    const findings = JSON.parse(run.stdout).findings as { rule: string; line: number; message: string }[];
    assert.deepEqual(
      findings.map((f) => `${f.rule}:${f.line}: ${f.message}`),
      [
        'app-drain-exceeds-budget:2: spring.lifecycle.timeout-per-shutdown-phase lets the app drain for up to 60s, but in Deployment cart container cart (built with Jib from ' +
          `${fixture('lint/spring-jib/cart')}, linked by jib-maven-plugin in pom.xml) SIGKILL comes 35s after SIGTERM (grace 45s - preStop 10s): requests still running are cut`,
      ],
    );
  });
});

describe('lameduck lint: kustomize directories', () => {
  it('renders a kustomization with kubectl kustomize and lints the result', async () => {
    const bin = await scratch();
    // A stand-in kubectl: prints the rendered Deployment (with the grace patch applied).
    await writeFile(
      `${bin}/kubectl`,
      `#!/bin/sh\n[ "$1" = kustomize ] || exit 3\ncat <<'YAML'\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 3\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      containers:\n      - name: app\n        image: shop:1\n        ports:\n        - containerPort: 8080\n        lifecycle: {preStop: {sleep: {seconds: 10}}}\nYAML\n`,
    );
    await chmod(`${bin}/kubectl`, 0o755);
    const run = await runBin(['lint', fixture('lint/kustomize'), '--format', 'json'], {
      // No kustomize on this PATH nor in an empty tool cache: kubectl is the renderer.
      env: { PATH: `${bin}:${process.env.PATH}`, LAMEDUCK_CACHE: bin },
    });
    const findings = JSON.parse(run.stdout).findings as { rule: string; file: string }[];
    assert.ok(findings.length > 0);
    assert.ok(
      findings.every((f) => f.file.endsWith('kustomize/base (kubectl kustomize)')),
      findings.map((f) => f.file).join(),
    );
    assert.equal(
      findings.find((f) => f.rule === 'grace-period-below-workload'),
      undefined,
      'the grace patch was applied',
    );
  });

  it('without kustomize or kubectl, lints the files as written and says so', async () => {
    const run = await runBin(['lint', fixture('lint/kustomize'), '--format', 'json'], {
      env: { PATH: '/nonexistent', LAMEDUCK_CACHE: '/nonexistent' },
    });
    assert.match(
      run.stderr,
      /kustomization\.yaml: neither kustomize nor kubectl is installed, so .*base is linted as written, without its patches and overlays/,
    );
    assert.ok(
      JSON.parse(run.stdout).findings.some((f: { rule: string }) => f.rule === 'grace-period-below-workload'),
    );
  });
});

/** Microsoft's SARIF multitool binary for this platform, executable, or undefined. */
function sarifValidator(): string | undefined {
  try {
    const binary = createRequire(import.meta.url)(`@microsoft/sarif-multitool-${process.platform}`) as string;
    // npm may skip the package's postinstall chmod (install scripts need approval in npm 11).
    chmodSync(binary, 0o755);
    return binary;
  } catch {
    return undefined;
  }
}
