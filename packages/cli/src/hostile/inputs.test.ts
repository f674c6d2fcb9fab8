/**
 * What lint, plan and fix read, as an attacker would shape it: bombs, deep nesting, huge counts,
 * files that are not files, paths outside what was given, links, bytes that are not text, names that
 * forge output, and kustomizations that would fetch from the network. Each ends in a clear line or a
 * bounded run, never a hang, a crash or a read of something it was not given.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadManifests } from '../manifests/load.js';
import { repoRoot, runBin, runCli, scratchDirectories } from '../testing/helpers.js';

const defaultGrace = `${repoRoot}examples/default-grace/deployment.yaml`;
const scratch = scratchDirectories('lameduck-hostile-');

/** lint on one file written for the test, its run and how long it took. */
async function lintText(name: string, text: string | Buffer) {
  const file = join(await scratch(), name);
  await writeFile(file, text);
  const started = Date.now();
  const run = await runCli(['lint', file]);
  return { run, ms: Date.now() - started };
}

describe('hostile YAML', () => {
  it('a billion-laughs alias bomb is refused with a clear message', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    const { run, ms } = await lintText('bomb.yaml', lines.join('\n'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /bomb\.yaml:\d+:\d+: cannot load document: .*alias/i);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('100,000 levels of nesting: one line at the place it gets too deep, no stack overflow', async () => {
    const { run } = await lintText('deep.yaml', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /deep\.yaml:1:\d+: nested too deeply to load/);
    assert.doesNotMatch(run.stderr, /Maximum call stack/);
  });

  it('a duplicate key is invalid YAML at its line, as kubectl would refuse it', async () => {
    const { run } = await lintText(
      'dup.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nmetadata: {name: b}\nspec: {containers: [{name: x, image: y}]}\n',
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /dup\.yaml:4:1: invalid YAML: Map keys must be unique/);
  });

  it('150,000 objects in one file all load (more than a call stack takes as arguments)', async () => {
    const file = join(await scratch(), 'many.yaml');
    await writeFile(
      file,
      Array.from(
        { length: 150_000 },
        (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`,
      ).join('---\n'),
    );
    const loaded = await loadManifests([file], async () => '');
    assert.equal(loaded.objects.length, 150_000);
    assert.deepEqual(loaded.errors, []);
  });

  it('a binary file is named as one, and the rest of the directory is still linted', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'blob.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 0, 0xff]));
    await writeFile(join(dir, 'deploy.yaml'), await readFile(defaultGrace));
    const run = await runCli(['lint', dir, '--format', 'json']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /blob\.yaml: binary file, not a manifest/);
    assert.ok(JSON.parse(run.stdout).findings.length > 0, 'deploy.yaml was linted');
  });
});

describe('a file that is no manifest, given by name', () => {
  it('an entrypoint script is pointed to the Dockerfile that runs it, not parsed as YAML', async () => {
    const { run } = await lintText('run.sh', '#!/bin/sh\nset -e\n./migrate\nexec node server.js\n');
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /run\.sh: a shell script is not a manifest; lint reads an entrypoint script through the Dockerfile that copies it in and runs it; lint the Dockerfile \(or its directory\) instead\n$/,
    );
  });
});

describe('what lint, plan and fix read: only regular files inside what they are given', () => {
  it('refuses a FIFO and a device at once, for lint, plan and fix, instead of hanging', async () => {
    const dir = await scratch();
    execFileSync('mkfifo', [`${dir}/deploy.yaml`]);
    for (const args of [
      ['lint', `${dir}/deploy.yaml`],
      ['plan', '-f', `${dir}/deploy.yaml`],
      ['fix', `${dir}/deploy.yaml`],
      ['lint', '/dev/zero'],
    ]) {
      const run = await runBin(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /not a regular file \(a pipe, device or socket\)/, args.join(' '));
    }
  });

  it('does not read a script a Dockerfile COPYs from outside its build context', async () => {
    const root = await scratch();
    await mkdir(`${root}/repo/app`, { recursive: true });
    await writeFile(`${root}/outside.sh`, '#!/bin/sh\necho PLANTED-OUTSIDE-LINE\nnode server.js\n');
    await writeFile(
      `${root}/repo/app/Dockerfile`,
      'FROM node:20\nCOPY ../../outside.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
    );
    const run = await runCli(['lint', `${root}/repo`]);
    assert.doesNotMatch(run.stdout, /PLANTED-OUTSIDE-LINE|outside\.sh/);
  });

  it('follows no symbolic link in a walked directory (a loop, a file outside), and says so', async () => {
    const root = await scratch();
    const dir = join(root, 'repo');
    await mkdir(dir);
    await writeFile(
      join(root, 'outside.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: planted-outside}\n',
    );
    await writeFile(join(dir, 'deploy.yaml'), await readFile(defaultGrace));
    await symlink('.', join(dir, 'loop'));
    await symlink(join(root, 'outside.yaml'), join(dir, 'outside.yaml'));
    const run = await runCli(['lint', dir, '--format', 'json']);
    assert.equal(run.code, 1, run.stderr); // the findings of deploy.yaml, and no input error
    const files = new Set(JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file));
    assert.deepEqual([...files], [join(dir, 'deploy.yaml')]);
    assert.doesNotMatch(run.stdout, /planted-outside/);
    assert.match(
      run.stderr,
      /2 symbolic link\(s\) not followed: \S*repo\/(loop|outside\.yaml), \S*repo\/(loop|outside\.yaml); lameduck reads only what is inside the paths given/,
    );
  });

  it('walks a directory of 150,000 files with a stack of its own', async () => {
    const dir = await scratch();
    for (let d = 0; d < 150; d++) {
      const sub = join(dir, `d${d}`);
      await mkdir(sub);
      await Promise.all(Array.from({ length: 1000 }, (_, f) => writeFile(join(sub, `f${f}.txt`), '')));
    }
    await writeFile(join(dir, 'd0', 'deploy.yaml'), await readFile(defaultGrace));
    const run = await runCli(['lint', dir, '--format', 'json']);
    assert.equal(run.code, 1, run.stderr); // the findings of deploy.yaml, and no input error
    assert.ok(JSON.parse(run.stdout).findings.length > 0);
  });

  it('refuses a Dockerfile over 1 MB at once instead of parsing it for seconds', async () => {
    const dir = await scratch();
    await writeFile(
      `${dir}/Dockerfile`,
      `FROM node:20\n${'RUN echo padding padding padding padding\n'.repeat(40_000)}CMD node server.js\n`,
    );
    const started = Date.now();
    const run = await runCli(['lint', dir]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Dockerfile: Dockerfile is \d+ KB, more than the 1024 KB a Dockerfile takes/);
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  });

  it('escapes a newline in a file name, so no line of its output can be a forged workflow command', async () => {
    const dir = await scratch();
    await writeFile(`${dir}/x\n::error file=forged.yaml::owned.yaml`, 'kind: [unclosed\n');
    for (const format of ['github', 'text']) {
      const run = await runCli(['lint', dir, '--format', format]);
      const lines = `${run.stdout}${run.stderr}`.split('\n');
      assert.ok(!lines.some((line) => line.startsWith('::error file=forged')), lines.join('\n'));
      assert.match(run.stderr, /x\\n::error file=forged\.yaml::owned\.yaml/);
    }
  });

  it('refuses a kustomization that names a remote resource unless --allow-remote, without running kubectl', async () => {
    const bin = await scratch();
    const calls = `${bin}/calls`;
    await writeFile(
      `${bin}/kubectl`,
      `#!/bin/sh\necho "$@" >> ${calls}\necho "HTTPS_PROXY=$HTTPS_PROXY" >> ${calls}\necho 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}'\n`,
    );
    await chmod(`${bin}/kubectl`, 0o755);
    const dir = await scratch();
    await mkdir(`${dir}/overlay`);
    await writeFile(
      `${dir}/overlay/kustomization.yaml`,
      'resources:\n  - https://github.com/example/app//deploy/base?ref=v1.2.3\n  - local.yaml\n',
    );
    const env = { PATH: `${bin}:${process.env.PATH}`, LAMEDUCK_CACHE: bin };
    const refused = await runBin(['lint', `${dir}/overlay`], { env });
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /kustomization\.yaml: names a remote resource \(https:\/\/github\.com\/example\/app\/\/deploy\/base\?ref=v1\.2\.3\), which lameduck does not fetch; pass --allow-remote/,
    );
    assert.equal(await readFile(calls, 'utf8').catch(() => ''), '', 'kubectl never ran');
    const allowed = await runBin(['lint', `${dir}/overlay`, '--allow-remote'], { env });
    assert.equal(allowed.code, 0, allowed.stderr);
    // kubectl renders a wrapper kustomization (for origin annotations) that includes the overlay.
    assert.match(await readFile(calls, 'utf8'), /^kustomize .*lameduck-kustomize-[^\n]*\nHTTPS_PROXY=\n/);
  });
});

describe('plan on a pod with thousands of containers', () => {
  it('prints text and JSON that grow linearly: the patch once per workload', async () => {
    const containers = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `    - name: c${i}\n      image: x:1\n      ports: [{containerPort: ${8000 + i}}]`,
      ).join('\n');
    const pod = (n: number) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n${containers(n)}\n`;
    const sizes: number[] = [];
    for (const n of [1000, 4000]) {
      const json = await runCli(['plan', '-f', '-', '--format', 'json'], pod(n));
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.workloads.length, 1);
      assert.equal(parsed.plans.length, n);
      sizes.push(json.stdout.length);
      const text = await runCli(['plan', '-f', '-'], pod(n));
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`container c${n - 1}`));
    }
    // Four times the containers, about four times the output (not sixteen).
    assert.ok((sizes[1] as number) / (sizes[0] as number) < 5, `${sizes[1]} / ${sizes[0]}`);
  });
});
