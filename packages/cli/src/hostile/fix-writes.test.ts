/**
 * What `fix` writes, when the repository it edits was shaped by an attacker or is merely unusual:
 * links planted under temporary names or given as the file, modes, BOMs, CRLF, bytes that are not
 * UTF-8, and rendered output that has no file of its own. Nothing else may change, byte for byte.
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runBin, runCli, scratchDirectories } from '../testing/helpers.js';

const defaultGrace = `${repoRoot}examples/default-grace/deployment.yaml`;
const scratch = scratchDirectories('lameduck-fix-hostile-');

describe('lameduck fix writes only what it means to', () => {
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
    const run = await runBin(['fix', overlay], {
      env: { PATH: `${bin}:${process.env.PATH}`, LAMEDUCK_CACHE: bin },
    });
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
