import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoRoot } from './testing/helpers.js';

/** Every line of every ```sh block in the README, exactly as written; "# exit N" states the expected code. */
function readmeCommands(): { command: string; exit: number }[] {
  const readme = readFileSync(`${repoRoot}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const exit = /#\s*exit (\d+)\s*$/.exec(line);
        return { command: line, exit: exit ? Number(exit[1]) : 0 };
      }),
  );
}

describe('README examples run as written', () => {
  const commands = readmeCommands();
  it('has examples to run', () => assert.ok(commands.length >= 4));
  for (const { command, exit } of commands) {
    it(`${command.replace(/\s*#.*$/, '')} exits ${exit}`, () => {
      const result = spawnSync('sh', ['-c', command], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 60_000,
      });
      assert.equal(result.status, exit, `${result.stdout}\n${result.stderr}`);
      assert.ok(result.stdout.length > 0, 'printed nothing');
    });
  }
});
