import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ProcessFacts, pid1Warning } from './pid1.js';

/** A fake /proc: pid -> [ppid, argv]. Our own process is pid 7. */
function facts(tree: Record<number, [number, string[]]>, extra: Partial<ProcessFacts> = {}): ProcessFacts {
  const files: Record<string, string> = { '/proc/1/cgroup': '0::/kubepods/besteffort/pod1234/abcd\n' };
  for (const [pid, [ppid, argv]] of Object.entries(tree)) {
    files[`/proc/${pid}/stat`] = `${pid} (${argv[0]?.split('/').pop()}) S ${ppid} ${pid} ${pid} 0 -1 4194560`;
    files[`/proc/${pid}/cmdline`] = `${argv.join('\0')}\0`;
  }
  return { pid: 7, platform: 'linux', env: {}, read: (path) => files[path], ...extra };
}

describe('PID 1 self-check', () => {
  it('warns when npm (PID 1) starts the app through sh -c, naming the nearest culprit', () => {
    const warning = pid1Warning(
      facts({
        1: [0, ['npm', 'start']],
        6: [1, ['sh', '-c', 'node server.js']],
        7: [6, ['node', 'server.js']],
      }),
    );
    // The nearest culprit is named first: the shell between npm and the app.
    assert.match(warning ?? '', /^PID 1 chain runs a shell \(sh, pid 6\) that did not exec the app/);
  });

  it('recognises npm run by node (node /usr/local/bin/npm start)', () => {
    const warning = pid1Warning(
      facts({ 1: [0, ['node', '/usr/local/bin/npm', 'start']], 7: [1, ['node', 'server.js']] }),
    );
    assert.match(
      warning ?? '',
      /runs npm \(pid 1\): npm does not forward SIGTERM.*CMD \["node", "server\.js"\]/,
    );
  });

  it('recognises yarn and pnpm', () => {
    assert.match(
      pid1Warning(
        facts({ 1: [0, ['node', '/opt/yarn-v1.22.19/bin/yarn.js', 'start']], 7: [1, ['node', 'a.js']] }),
      ) ?? '',
      /yarn/,
    );
    assert.match(
      pid1Warning(facts({ 1: [0, ['/usr/local/bin/pnpm', 'start']], 7: [1, ['node', 'a.js']] })) ?? '',
      /pnpm/,
    );
  });

  it('warns when a shell is PID 1 and did not exec the app (shell-form CMD)', () => {
    const warning = pid1Warning(
      facts({ 1: [0, ['/bin/sh', '-c', 'node server.js']], 7: [1, ['node', 'server.js']] }),
    );
    assert.match(warning ?? '', /shell \(sh, pid 1\).*exec node server\.js/);
  });

  it('is silent under tini and dumb-init', () => {
    assert.equal(
      pid1Warning(
        facts({ 1: [0, ['/usr/bin/tini', '--', 'node', 'server.js']], 7: [1, ['node', 'server.js']] }),
      ),
      undefined,
    );
    assert.equal(
      pid1Warning(facts({ 1: [0, ['dumb-init', 'node', 'server.js']], 7: [1, ['node', 'server.js']] })),
      undefined,
    );
  });

  it('is silent when the app is PID 1', () => {
    assert.equal(pid1Warning(facts({ 1: [0, ['node', 'server.js']] }, { pid: 1 })), undefined);
  });

  it('is silent outside a container and off Linux', () => {
    const tree = { 1: [0, ['npm', 'start']], 7: [1, ['node', 'server.js']] } as Record<
      number,
      [number, string[]]
    >;
    const notContainer = facts(tree);
    const read = (path: string) => (path === '/proc/1/cgroup' ? '0::/init.scope\n' : notContainer.read(path));
    assert.equal(pid1Warning({ ...notContainer, read }), undefined);
    assert.equal(pid1Warning(facts(tree, { platform: 'darwin' })), undefined);
  });

  it('reads the parent from stat even when the command name has spaces and parentheses', () => {
    const f = facts({ 1: [0, ['npm', 'start']], 7: [1, ['node', 'server.js']] });
    const read = (path: string) =>
      path === '/proc/7/stat' ? '7 (node (my app)) S 1 7 7 0 -1' : f.read(path);
    assert.match(pid1Warning({ ...f, read }) ?? '', /npm/);
  });
});
