import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { processesWith, until } from '../testing/helpers.js';
import {
  CONTAINER_MARKER,
  ContainerProcess,
  catchesSignal,
  containerMarker,
  type Isolation,
  pidNamespacesAvailable,
} from './process.js';

const started: ContainerProcess[] = [];
after(() => {
  for (const process of started) process.killGroup();
});

function container(command: string[], isolation: Isolation = 'emulated'): ContainerProcess {
  const created = new ContainerProcess(command, process.env, tmpdir(), isolation);
  started.push(created);
  return created;
}

/** Waits until the process has printed `ready` (its handlers are installed). */
async function readyLine(process: ContainerProcess): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!process.recentOutput().includes('ready')) {
    if (Date.now() > deadline) throw new Error(`never ready: ${process.recentOutput().join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Running, not a zombie waiting for whoever inherited it to reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('container process', () => {
  it('delivers SIGTERM to an app with a handler, which exits 143 by default signal semantics', async () => {
    const app = container([
      process.execPath,
      '-e',
      "process.on('SIGTERM', () => process.exit(143)); console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    await readyLine(app);
    const outcome = app.terminate();
    assert.equal(outcome.delivered, true);
    assert.deepEqual(await app.exited, { exitCode: 143, signal: undefined });
  });

  it('drops SIGTERM for a PID 1 without a handler, as the kernel does in a PID namespace', async () => {
    const app = container(['sh', '-c', 'echo ready; sleep 30; true']);
    await readyLine(app);
    const outcome = app.terminate();
    assert.equal(outcome.delivered, false);
    assert.match(
      outcome.delivered ? '' : outcome.reason,
      /PID 1 \(sh -c echo ready; sleep 30; true\) has no SIGTERM handler/,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(app.running, true);
    app.killGroup();
    assert.deepEqual(await app.exited, { exitCode: 137, signal: 'SIGKILL' });
  });

  it('in a real PID namespace, Node with no handler of its own survives SIGTERM as PID 1 and ends at SIGKILL', {
    skip: pidNamespacesAvailable() ? false : 'no unprivileged user/PID namespaces on this machine',
  }, async () => {
    const app = container(
      [process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000)"],
      'pid-namespace',
    );
    await readyLine(app);
    // Node's built-in SIGTERM handler is in SigCgt, so the kernel delivers it; the re-raise is dropped.
    assert.equal(app.terminate().delivered, true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(app.running, true);
    app.killGroup();
    assert.deepEqual(await app.exited, { exitCode: 137, signal: 'SIGKILL' });
  });

  it('in a real PID namespace, an app with a handler exits with its own code', {
    skip: pidNamespacesAvailable() ? false : 'no unprivileged user/PID namespaces on this machine',
  }, async () => {
    const app = container(
      [
        process.execPath,
        '-e',
        "process.on('SIGTERM', () => process.exit(0)); console.log('ready'); setInterval(() => {}, 1000)",
      ],
      'pid-namespace',
    );
    await readyLine(app);
    assert.equal(app.terminate().delivered, true);
    assert.deepEqual(await app.exited, { exitCode: 0, signal: undefined });
  });

  it('sends SIGTERM anyway when the app is not PID 1 (shareProcessNamespace): the default action kills it', async () => {
    const app = container(
      [process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000)"],
      'none',
    );
    await readyLine(app);
    assert.equal(app.terminate().delivered, true);
    assert.deepEqual(await app.exited, { exitCode: 143, signal: 'SIGTERM' });
  });

  it('kills what PID 1 started when it exits, as a PID namespace teardown does', async () => {
    const pidFile = join(tmpdir(), `lameduck-child-${process.pid}.pid`);
    const app = container(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; echo ready; exit 3`]);
    assert.deepEqual(await app.exited, { exitCode: 3, signal: undefined });
    const child = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(child), false);
  });

  it('reads the caught-signal mask from /proc', () => {
    const root = join(tmpdir(), `lameduck-proc-${process.pid}`);
    mkdirSync(join(root, '7'), { recursive: true });
    // SIGTERM is signal 15: bit 14 (0x4000). SIGINT is 2: bit 1.
    writeFileSync(join(root, '7', 'status'), 'Name:\tnode\nSigCgt:\t0000000000004002\n');
    assert.equal(catchesSignal(7, 'SIGTERM', root), true);
    writeFileSync(join(root, '7', 'status'), 'Name:\tsh\nSigCgt:\t0000000000000002\n');
    assert.equal(catchesSignal(7, 'SIGTERM', root), false);
    assert.equal(catchesSignal(8, 'SIGTERM', root), true, 'no /proc entry: assume a handler');
  });

  it('reports a command that cannot start with exit code 127', async () => {
    const app = container(['/nonexistent/lameduck-app']);
    assert.deepEqual(await app.exited, { exitCode: 127, signal: undefined });
    assert.match(app.recentOutput().join('\n'), /cannot start \/nonexistent\/lameduck-app/);
  });
});

describe('container process whose grandchild escapes', () => {
  it('settles at the exit, and kills a setsid grandchild that holds its output pipe and left the group', async () => {
    const marker = `lameduck-escapee-${process.pid}`;
    const app = new ContainerProcess(
      ['sh', '-c', `setsid sh -c 'sleep 30 # ${marker}' & sleep 0.2; exit 3`],
      { ...process.env, [CONTAINER_MARKER]: containerMarker(marker) },
      process.cwd(),
      'emulated',
    );
    const started = Date.now();
    try {
      assert.deepEqual(await app.exited, { exitCode: 3, signal: undefined });
      assert.ok(Date.now() - started < 5000, `settled after ${Date.now() - started} ms`);
      await until(() => processesWith(marker).length === 0, 2000, 'the escaped grandchild to be gone');
    } finally {
      for (const pid of processesWith(marker)) process.kill(Number(pid), 'SIGKILL');
    }
  });

  it('an exec handler (probe or hook) still running dies with the lab, even when the lab is SIGKILLed', async () => {
    const marker = `lameduck-exec-orphan-${process.pid}`;
    const handlers = new URL('./handlers.js', import.meta.url).href;
    const lab = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        // The marker comes through the environment, so only the handler's command line shows it.
        `import { execCommand } from ${JSON.stringify(handlers)};
         const command = ['sh', '-c', 'sleep 30 # ' + process.env.MARKER];
         execCommand(command, { host: '127.0.0.1', port: () => undefined, env: process.env, cwd: '.' }, 60000);`,
      ],
      { stdio: 'ignore', env: { ...process.env, MARKER: marker } },
    );
    try {
      await until(() => processesWith(`sleep 30 # ${marker}`).length > 0, 5000, 'the exec handler to run');
      lab.kill('SIGKILL');
      await until(() => processesWith(marker).length === 0, 5000, 'the exec handler to die with the lab');
    } finally {
      lab.kill('SIGKILL');
      for (const pid of processesWith(marker)) process.kill(Number(pid), 'SIGKILL');
    }
  });
});
