import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function run(source: string, type: 'commonjs' | 'module') {
  return spawnSync(process.execPath, [`--input-type=${type}`, '-e', source], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

describe('entry points', () => {
  it('require("@lameduck/node") works from CommonJS', () => {
    const result = run(
      `const { lameduck, shutdownDeadline } = require('@lameduck/node'); console.log(typeof lameduck, shutdownDeadline({ timeoutMs: 5 }).ms)`,
      'commonjs',
    );
    assert.equal(result.stdout.trim(), 'function 5', result.stderr);
  });

  it('import "@lameduck/node" works from ESM', () => {
    const result = run(
      `import { lameduck, shutdownDeadline } from '@lameduck/node'; console.log(typeof lameduck, shutdownDeadline({ timeoutMs: 5 }).ms)`,
      'module',
    );
    assert.equal(result.stdout.trim(), 'function 5', result.stderr);
  });
});
