import assert from 'node:assert/strict';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fixture, repoRoot, runBin, runCli } from '../test-helpers.js';

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
    assert.match(run.stderr, /would fix 4 finding\(s\) in 1 file\(s\)/);
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
      'FROM alpine:3.20 AS base\nRUN apk add --no-cache nginx\n\nFROM base\n# serve\nCMD nginx -g daemon-off\n',
    );
    await writeFile(`${dir}/app.Dockerfile`, 'FROM node:20-alpine\nCMD node server.js && echo done\n');
    const run = await runCli(['fix', dir]);
    assert.equal(run.code, 0);
    assert.equal(
      await readFile(`${dir}/Dockerfile`, 'utf8'),
      'FROM alpine:3.20 AS base\nRUN apk add --no-cache nginx\n\nFROM base\n# serve\nCMD ["nginx", "-g", "daemon-off"]\nSTOPSIGNAL SIGQUIT\n',
    );
    assert.equal(
      await readFile(`${dir}/app.Dockerfile`, 'utf8'),
      'FROM node:20-alpine\nCMD node server.js && echo done\n',
      'shell syntax is left to a person',
    );
    const remaining = await rulesFound(dir);
    assert.deepEqual(remaining, ['dockerfile-shell-form']);
    assert.match((await runCli(['fix', dir])).stderr, /nothing to fix/);
  });
});

describe('lameduck fix writes only what it means to', () => {
  const defaultGrace = `${repoRoot}examples/default-grace/deployment.yaml`;
  const scratch = () => mkdtemp(join(tmpdir(), 'lameduck-fix-hostile-'));

  it('keeps the file mode: 0600 stays 0600, 0750 keeps its exec bit', async () => {
    const dir = await scratch();
    for (const mode of [0o600, 0o750]) {
      const file = join(dir, `d-${mode.toString(8)}.yaml`);
      await copyFile(defaultGrace, file);
      await chmod(file, mode);
      assert.equal((await runCli(['fix', file])).code, 0);
      assert.notEqual(await readFile(file, 'utf8'), await readFile(defaultGrace, 'utf8'), 'it was fixed');
      assert.equal((await stat(file)).mode & 0o777, mode);
    }
  });

  it('never writes through a symlink planted under a temporary name, and leaves no temporary file', async () => {
    const dir = await scratch();
    const file = join(dir, 'deploy.yaml');
    const victim = join(dir, 'victim.txt');
    await copyFile(defaultGrace, file);
    await writeFile(victim, 'untouched\n');
    // The names the old code wrote to: ${file}.lameduck-${pid}.tmp for the next few hundred pids.
    for (let pid = process.pid; pid < process.pid + 50; pid++)
      await symlink(victim, `${file}.lameduck-${pid}.tmp`);
    assert.equal((await runCli(['fix', file])).code, 0);
    assert.equal(await readFile(victim, 'utf8'), 'untouched\n');
    const left = (await readdir(dir)).filter((name) => name.startsWith('.deploy.yaml.lameduck-'));
    assert.deepEqual(left, []);
  });

  it('refuses a symlink given as the file, and writes neither it nor its target', async () => {
    const dir = await scratch();
    const target = join(dir, 'real.yaml');
    const link = join(dir, 'link.yaml');
    await copyFile(defaultGrace, target);
    await symlink(target, link);
    const run = await runCli(['fix', link]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /link\.yaml: is a symbolic link; lameduck writes only regular files; give the file it points to/,
    );
    assert.equal(await readFile(target, 'utf8'), await readFile(defaultGrace, 'utf8'));
    assert.ok((await lstat(link)).isSymbolicLink());
  });

  it('never writes kustomize output: no stray "(kubectl kustomize)" file, and says what to fix instead', async () => {
    const bin = await scratch();
    await writeFile(
      `${bin}/kubectl`,
      `#!/bin/sh\n[ "$1" = kustomize ] || exit 3\ncat <<'YAML'\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: shop:1\n        ports:\n        - containerPort: 8080\nYAML\n`,
    );
    await chmod(`${bin}/kubectl`, 0o755);
    const dir = await scratch();
    const overlay = join(dir, 'overlay');
    await mkdir(overlay);
    await writeFile(join(overlay, 'kustomization.yaml'), 'resources: []\n');
    const run = await runBin(['fix', overlay], { env: { PATH: `${bin}:${process.env.PATH}` } });
    assert.match(
      run.stderr,
      /overlay \(kubectl kustomize\): rendered output cannot be fixed in place; fix the files the kustomization lists/,
    );
    assert.match(run.stderr, /nothing to fix/);
    assert.deepEqual((await readdir(dir)).sort(), ['overlay']);
    assert.deepEqual(await readdir(overlay), ['kustomization.yaml']);
  });

  it('keeps a BOM and CRLF line endings, and refuses a file that is not valid UTF-8', async () => {
    const dir = await scratch();
    const original = await readFile(defaultGrace, 'utf8');
    const crlf = join(dir, 'crlf.yaml');
    await writeFile(crlf, `\uFEFF${original.replace(/\n/g, '\r\n')}`);
    assert.equal((await runCli(['fix', crlf])).code, 0);
    const fixed = await readFile(crlf);
    assert.deepEqual([...fixed.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM is kept');
    const text = fixed.toString('utf8');
    assert.notEqual(text, `\uFEFF${original.replace(/\n/g, '\r\n')}`, 'it was fixed');
    assert.equal(text.split('\n').length - 1, text.split('\r\n').length - 1, 'every line ends CRLF');

    const latin1 = join(dir, 'latin1.yaml');
    const bytes = Buffer.concat([
      Buffer.from(`${original}---\n# caf`),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    await writeFile(latin1, bytes);
    const run = await runCli(['fix', latin1]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /latin1\.yaml: is not valid UTF-8; rewriting it would replace those bytes/);
    assert.deepEqual(await readFile(latin1), bytes, 'not a byte changed');
  });
});
