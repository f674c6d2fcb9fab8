import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, topLevelEnv } from './testing/helpers.js';

describe('scripts/run-tests.mjs', () => {
  it('fails a test file whose process never exits after its tests pass, naming the file, and kills it', () => {
    const directory = mkdtempSync(join(tmpdir(), 'lameduck-run-tests-'));
    try {
      const pidFile = join(directory, 'spinner.pid');
      writeFileSync(
        join(directory, 'spins-at-exit.test.mjs'),
        `import { writeFileSync } from 'node:fs';
import { it } from 'node:test';
it('passes', () => writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)));
process.on('exit', () => { for (;;) {} });
`,
      );
      writeFileSync(
        join(directory, 'fine.test.mjs'),
        "import { it } from 'node:test';\nit('fine', () => {});\n",
      );
      const started = Date.now();
      const run = spawnSync(process.execPath, ['scripts/run-tests.mjs'], {
        cwd: repoRoot,
        env: topLevelEnv({ LAMEDUCK_TEST_ROOT: directory, LAMEDUCK_TEST_FILE_LIMIT: '2' }),
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.ok(Date.now() - started < 30_000, 'the limit ended the hang');
      assert.match(run.stdout, /✖ .*spins-at-exit\.test\.mjs .*\n\s+'test timed out after 2000ms'/);
      assert.match(run.stdout, /✔ fine/);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the spinning process is gone');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a limit that is not a number of seconds', () => {
    const run = spawnSync(process.execPath, ['scripts/run-tests.mjs'], {
      cwd: repoRoot,
      env: topLevelEnv({ LAMEDUCK_TEST_FILE_LIMIT: 'ten' }),
      encoding: 'utf8',
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /LAMEDUCK_TEST_FILE_LIMIT must be seconds above 0, not "ten"/);
  });
});
