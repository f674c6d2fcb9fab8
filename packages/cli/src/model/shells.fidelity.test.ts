/**
 * The shell model (shells.ts, sigterm-path.ts) against the real programs: whether `<shell> -c
 * <script>` leaves the shell running or replaces it with the last command, read from
 * /proc/<pid>/comm while the command runs; and whether `npm start` passes SIGTERM on to the app.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../testing/helpers.js';
import { execsLastCommand, type Shell } from './shells.js';

const SHELLS: Record<Shell, string[]> = {
  dash: ['/usr/bin/dash'],
  busybox: ['/bin/busybox', 'sh'],
  bash: ['/bin/bash'],
};

/** Debian's busybox, installed the way the other tests install nginx and chromium. */
function busyboxUnavailable(): string | undefined {
  if (spawnSync('/bin/busybox', ['true']).status === 0) return undefined;
  if (process.getuid?.() !== 0)
    return '/bin/busybox is absent and installing it needs root: apt-get install -y busybox';
  const install = spawnSync(`${repoRoot}scripts/apt-install.sh`, ['busybox:busybox'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return spawnSync('/bin/busybox', ['true']).status === 0
    ? undefined
    : `installing busybox failed: ${install.stderr}`;
}

async function running(child: ChildProcess): Promise<string> {
  // The shell parses and forks (or execs) within milliseconds; the command runs for a second.
  await sleep(300);
  return (await readFile(`/proc/${child.pid}/comm`, 'utf8')).trim();
}

const SCRIPTS = [
  'sleep 1',
  'cd /tmp && sleep 1',
  'cd /tmp; sleep 1',
  'X=1 sleep 1',
  'sleep 1 2>&1',
  'cd /tmp && sleep 1 > /dev/null',
  'trap "echo stop" TERM; sleep 1',
  'if true; then sleep 1; fi',
  'sleep 1 | cat',
  'echo "a;b|c" > /dev/null && sleep 1',
];

describe('shells: who is left running after sh -c', { timeout: 120_000 }, () => {
  const missing = busyboxUnavailable();
  for (const [shell, argv] of Object.entries(SHELLS) as [Shell, string[]][]) {
    for (const script of SCRIPTS) {
      const expected = execsLastCommand(shell, script);
      it(`${shell} -c '${script}': ${expected ? 'execs the last command' : 'stays'}`, {
        skip: shell === 'busybox' ? missing : undefined,
      }, async () => {
        const [program = '', ...first] = argv;
        const child = spawn(program, [...first, '-c', script], { stdio: 'ignore' });
        try {
          const comm = await running(child);
          assert.equal(comm === 'sleep', expected, `${shell} left ${comm} as the process`);
        } finally {
          child.kill('SIGKILL');
        }
      });
    }
  }
});

describe('shells: npm start passes SIGTERM on only through a shell that execs the app', {
  timeout: 60_000,
}, () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lameduck-npm-'));
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node app.cjs' } }),
    );
    await writeFile(
      join(dir, 'app.cjs'),
      "process.on('SIGTERM', () => { require('fs').writeFileSync(__dirname + '/got', 'SIGTERM'); process.exit(0); });\nrequire('fs').writeFileSync(__dirname + '/ready', '');\nsetInterval(() => {}, 1000);\n",
    );
    if (!busyboxUnavailable()) await symlink('/bin/busybox', join(dir, 'sh'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [shell, expected] of [
    ['dash', false],
    ['busybox', true],
  ] as const) {
    it(`with ${shell} as the script shell the app ${expected ? 'gets' : 'never gets'} SIGTERM`, {
      skip: shell === 'busybox' ? busyboxUnavailable() : undefined,
    }, async () => {
      await rm(join(dir, 'got'), { force: true });
      await rm(join(dir, 'ready'), { force: true });
      const scriptShell = shell === 'dash' ? '/usr/bin/dash' : join(dir, 'sh');
      // Its own process group, so whatever npm leaves behind is killed with it.
      const npm = spawn('npm', ['start', `--script-shell=${scriptShell}`], {
        cwd: dir,
        stdio: 'ignore',
        detached: true,
      });
      try {
        for (let waited = 0; waited < 20_000; waited += 100) {
          if (
            await readFile(join(dir, 'ready')).then(
              () => true,
              () => false,
            )
          )
            break;
          await sleep(100);
        }
        npm.kill('SIGTERM');
        await once(npm, 'exit');
        await sleep(300);
        const got = await readFile(join(dir, 'got'), 'utf8').then(
          (text) => text,
          () => '',
        );
        assert.equal(got === 'SIGTERM', expected);
      } finally {
        try {
          process.kill(-(npm.pid ?? 0), 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      }
    });
  }
});
