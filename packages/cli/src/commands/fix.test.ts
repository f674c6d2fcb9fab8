import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fixture, repoRoot, runCli } from '../testing/helpers.js';

async function copy(source: string): Promise<string> {
  const dir = await mkdtemp(`${tmpdir()}/lameduck-fix-`);
  const target = `${dir}/${source.split('/').pop()}`;
  await copyFile(source, target);
  return target;
}

const FIXED_RULES = [
  'prestop-missing',
  'prestop-sleep-action-unsupported',
  'prestop-exec-sleep-prefer-native',
  'prestop-sleep-out-of-range',
  'grace-period-exceeded',
  'grace-period-default-too-low',
  'grace-period-below-workload',
  'rolling-update-unavailable',
];

async function rulesFound(file: string, extra: string[] = []): Promise<string[]> {
  const run = await runCli(['lint', file, '--format', 'json', ...extra]);
  return JSON.parse(run.stdout).findings.map((f: { rule: string }) => f.rule);
}

describe('lameduck fix', () => {
  it('needs a path: it never edits the current directory by default', async () => {
    const run = await runCli(['fix']);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /give the files or directories to fix, e\.g\. lameduck fix k8s\/ \(\. for the current directory\)/,
    );
    const help = await runCli(['fix', '--help']);
    assert.match(help.stdout, /Exit codes: 0 fixed, or nothing to fix; 2 usage or input error/);
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    const file = await copy(`${repoRoot}examples/default-grace/deployment.yaml`);
    const before = await readFile(file, 'utf8');
    const run = await runCli(['fix', file, '--dry-run']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^--- .*deployment\.yaml\n\+\+\+ .*deployment\.yaml/m);
    assert.match(
      run.stdout,
      /^-\s+exec:\n-\s+command: \["\/bin\/sh", "-c", "sleep 15"\]\n\+\s+sleep:\n\+\s+seconds: 15$/m,
    );
    assert.match(run.stdout, /^\+ {6}terminationGracePeriodSeconds: 45$/m);
    assert.match(run.stderr, /would fix 3 finding\(s\) in 1 file\(s\)/);
    assert.equal(await readFile(file, 'utf8'), before);
  });

  it('changes only the lines it fixes: kubectl-style and Helm-style files keep their indentation and flow style', async () => {
    for (const source of [
      fixture('lint/kubectl-style.yaml'),
      `${repoRoot}packages/cli/test/corpus/shop.yaml`,
    ]) {
      const file = await copy(source);
      const run = await runCli(['fix', file, '--dry-run']);
      const removed = run.stdout.split('\n').filter((line) => /^-(?!--)/.test(line));
      // Only the values fix replaces: a grace period, or an exec preStop that becomes a native sleep.
      for (const line of removed) assert.match(line, /terminationGracePeriodSeconds|exec:|command: \[/, line);
      assert.ok(run.stdout.includes('+'), 'something was fixed');
    }
  });

  for (const [name, source, flags] of [
    ['the default-grace example', `${repoRoot}examples/default-grace/deployment.yaml`, []],
    ['a multi-document file', fixture('lint/multi.yaml'), ['--nodes', '120']],
    ['a 1.29 target (exec sleep)', fixture('lint/multi.yaml'), ['--kube-version', '1.29']],
  ] as const) {
    it(`${name}: lint after fix reports none of the fixed rules, and a second fix changes nothing`, async () => {
      const file = await copy(source);
      assert.ok(
        (await rulesFound(file, [...flags])).some((rule) => FIXED_RULES.includes(rule)),
        'fixture must need fixes',
      );
      assert.equal((await runCli(['fix', file, ...flags])).code, 0);
      const remaining = await rulesFound(file, [...flags]);
      assert.deepEqual(
        remaining.filter((rule) => FIXED_RULES.includes(rule)),
        [],
      );
      const once = await readFile(file, 'utf8');
      const again = await runCli(['fix', file, ...flags]);
      assert.match(again.stderr, /nothing to fix/);
      assert.equal(await readFile(file, 'utf8'), once);
    });
  }

  it('keeps comments, and leaves untouched documents byte for byte', async () => {
    const file = await copy(fixture('lint/multi.yaml'));
    const before = await readFile(file, 'utf8');
    await runCli(['fix', file]);
    const after = await readFile(file, 'utf8');
    assert.ok(after.startsWith('# Two workloads and a Service; only the first needs fixes.\n'));
    assert.match(after, /labels: \{app: web\} # routed by the Service below/);
    const untouched = before.slice(before.indexOf('---\napiVersion: v1\nkind: Service'));
    assert.ok(after.endsWith(untouched), 'the Service and the Job are unchanged');
    assert.match(after, /lifecycle:\n\s+preStop:\n\s+sleep:\n\s+seconds: 15/);
  });

  it('adds EXIT_ON_ZERO_ACTIVE_CONNECTIONS to the Istio proxy config, keeping its other settings and the comments', async () => {
    const dir = await mkdtemp(`${tmpdir()}/lameduck-fix-`);
    const file = `${dir}/istio.yaml`;
    await writeFile(
      file,
      `# the shop front, behind the mesh
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "true"
        # set by the platform team
        proxy.istio.io/config: |
          holdApplicationUntilProxyStarts: true
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: app
          image: web:1
          lifecycle: {preStop: {sleep: {seconds: 15}}}
`,
    );
    assert.deepEqual(await rulesFound(file), ['istio-sidecar-exits-first']);
    const run = await runCli(['fix', file]);
    assert.equal(run.code, 0, run.stderr);
    const after = await readFile(file, 'utf8');
    assert.match(after, /^# the shop front, behind the mesh$/m);
    assert.match(after, /# set by the platform team\n\s+proxy\.istio\.io\/config: \|/);
    const config = parse(parse(after).spec.template.metadata.annotations['proxy.istio.io/config']);
    assert.deepEqual(config, {
      holdApplicationUntilProxyStarts: true,
      proxyMetadata: { EXIT_ON_ZERO_ACTIVE_CONNECTIONS: 'true' },
    });
    assert.deepEqual(await rulesFound(file), []);
    await runCli(['fix', file]);
    assert.equal(await readFile(file, 'utf8'), after, 'a second fix changes nothing');
  });

  it('does not take stdin: it edits files', async () => {
    const run = await runCli(['fix', '-']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /fix edits files in place/);
  });
});

describe('lameduck fix: Dockerfiles', () => {
  it('adds STOPSIGNAL SIGQUIT for nginx and rewrites a plain shell-form CMD in exec form; then lint is clean of both and a second fix changes nothing', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/lameduck-fix-docker-`);
    await writeFile(
      `${dir}/Dockerfile`,
      'FROM debian:12 AS base\nRUN apt-get install -y nginx\n\nFROM base\n# serve\nCMD nginx -g daemon-off\n',
    );
    await writeFile(`${dir}/app.Dockerfile`, 'FROM node:20-slim\nCMD node server.js && echo done\n');
    const run = await runCli(['fix', dir]);
    assert.equal(run.code, 0);
    assert.equal(
      await readFile(`${dir}/Dockerfile`, 'utf8'),
      'FROM debian:12 AS base\nRUN apt-get install -y nginx\n\nFROM base\n# serve\nCMD ["nginx", "-g", "daemon-off"]\nSTOPSIGNAL SIGQUIT\n',
    );
    assert.equal(
      await readFile(`${dir}/app.Dockerfile`, 'utf8'),
      'FROM node:20-slim\nCMD node server.js && echo done\n',
      'shell syntax is left to a person',
    );
    const remaining = await rulesFound(dir);
    assert.deepEqual(remaining, ['dockerfile-shell-form']);
    assert.match((await runCli(['fix', dir])).stderr, /nothing to fix/);
  });

  it('suggests the zero-code preload for a Node Dockerfile it fixed, and writes it nowhere (the image may not have the package)', async () => {
    const dir = await mkdtemp(`${tmpdir()}/lameduck-fix-node-`);
    await mkdir(`${dir}/api`);
    await mkdir(`${dir}/worker`);
    await writeFile(`${dir}/api/Dockerfile`, 'FROM node:20-slim\nCOPY . .\nCMD node server.js\n');
    await writeFile(`${dir}/worker/Dockerfile`, 'FROM python:3.12\nCMD python worker.py\n');
    const run = await runCli(['fix', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      await readFile(`${dir}/api/Dockerfile`, 'utf8'),
      'FROM node:20-slim\nCOPY . .\nCMD ["node", "server.js"]\n',
    );
    const notes = run.stderr.split('\n').filter((line) => line.includes('@lameduck/node/register'));
    assert.deepEqual(notes, [
      `lameduck fix: note: ${dir}/api/Dockerfile: for a Node app, ["node", "--import", "@lameduck/node/register", "server.js"] also drains it on SIGTERM with no code change (npm install @lameduck/node)`,
    ]);
    await rm(dir, { recursive: true, force: true });
  });
});
