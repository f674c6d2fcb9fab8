/**
 * Both packages as npm users meet them: published to a local registry (verdaccio on 127.0.0.1,
 * which fetches the packages' own dependencies from the npm registry), then used from an empty
 * folder exactly as the READMEs show.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, topLevelEnv, until } from './testing/helpers.js';

const run = promisify(execFile);
const UPSTREAM = 'https://registry.npmjs.org/';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** PUT /-/user/org.couchdb.user:NAME, as `npm adduser` does: verdaccio answers with a token. */
function addUser(registry: string): Promise<string> {
  const body = JSON.stringify({ name: 'tester', password: 'tester-password', type: 'user' });
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('-/user/org.couchdb.user:tester', registry),
      { method: 'PUT', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const token = (JSON.parse(text) as { token?: string }).token;
          token ? resolve(token) : reject(new Error(`no token from the registry: ${res.statusCode} ${text}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForRegistry(registry: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = request(new URL('-/ping', registry), (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('verdaccio did not answer /-/ping within 30 s');
}

describe('the published packages, from an empty folder', { timeout: 300_000 }, () => {
  let directory: string;
  let registry: string;
  let verdaccio: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lameduck-registry-'));
    const port = await freePort();
    registry = `http://127.0.0.1:${port}/`;
    await writeFile(
      join(directory, 'verdaccio.yaml'),
      `storage: ${join(directory, 'storage')}
auth:
  htpasswd:
    file: ${join(directory, 'htpasswd')}
uplinks:
  npmjs:
    url: ${UPSTREAM}
packages:
  'lameduck':
    access: $all
    publish: $authenticated
  '@lameduck/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
`,
    );
    verdaccio = spawn(
      process.execPath,
      [
        join(repoRoot, 'node_modules/verdaccio/bin/verdaccio'),
        '--config',
        join(directory, 'verdaccio.yaml'),
        '--listen',
        `127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await waitForRegistry(registry, verdaccio);
    const token = await addUser(registry);
    const npmrc = join(directory, 'npmrc');
    await writeFile(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    env = topLevelEnv({
      npm_config_userconfig: npmrc,
      npm_config_registry: registry,
      npm_config_cache: join(directory, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      NO_COLOR: '1',
    });
    for (const pkg of ['packages/node', 'packages/cli']) {
      await run('npm', ['publish', '--registry', registry], { cwd: join(repoRoot, pkg), env });
    }
  });

  after(async () => {
    verdaccio?.kill('SIGKILL');
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('npx lameduck plan --help, then a lint, from an empty folder', async () => {
    const empty = join(directory, 'cli-user');
    await mkdir(empty);
    const help = await run('npx', ['--yes', 'lameduck', 'plan', '--help'], { cwd: empty, env });
    assert.match(help.stdout, /^Usage: lameduck plan \[options\]/m);
    await writeFile(
      join(empty, 'deploy.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          command: ["sh", "-c", "node server.js"]
          ports: [{ containerPort: 8080 }]
`,
    );
    const lint = await run('npx', ['--yes', 'lameduck', 'lint', 'deploy.yaml', '--format', 'json'], {
      cwd: empty,
      env,
    }).then(
      () => assert.fail('lint passes a manifest with two errors'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(lint.code, 1);
    const rules = (JSON.parse(lint.stdout).findings as { rule: string }[]).map((f) => f.rule);
    assert.ok(rules.includes('shell-wrapped-command') && rules.includes('prestop-missing'), rules.join());
  });

  it('imports @lameduck/node from ESM, CommonJS and TypeScript', async () => {
    const empty = join(directory, 'library-user');
    await mkdir(empty);
    await writeFile(join(empty, 'package.json'), '{ "name": "library-user", "private": true }\n');
    await run('npm', ['install', '@lameduck/node', '@types/node@20'], { cwd: empty, env });
    const probe = "typeof lameduck + ' ' + shutdownDeadline({ timeoutMs: 5000 }).ms";
    await writeFile(
      join(empty, 'esm.mjs'),
      `import { lameduck, shutdownDeadline } from '@lameduck/node';\nconsole.log(${probe});\n`,
    );
    await writeFile(
      join(empty, 'cjs.cjs'),
      `const { lameduck, shutdownDeadline } = require('@lameduck/node');\nconsole.log(${probe});\n`,
    );
    await writeFile(
      join(empty, 'app.mts'),
      `import { createServer } from 'node:http';
import { lameduck, type LameduckOptions, shutdownDeadline } from '@lameduck/node';
const options: LameduckOptions = { servers: [createServer()], logger: 'silent', pid1Check: false };
const ld = lameduck(options);
console.log(typeof ld.readiness + ' ' + shutdownDeadline({ timeoutMs: 5000 }).ms);
process.exit(0);
`,
    );
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    await run(
      process.execPath,
      [
        tsc,
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        'app.mts',
      ],
      { cwd: empty, env },
    );
    assert.equal((await run(process.execPath, ['esm.mjs'], { cwd: empty })).stdout, 'function 5000\n');
    assert.equal((await run(process.execPath, ['cjs.cjs'], { cwd: empty })).stdout, 'function 5000\n');
    assert.equal((await run(process.execPath, ['app.mjs'], { cwd: empty })).stdout, 'function 5000\n');

    // The preload, as a Deployment's command runs it, through --import and through --require.
    await writeFile(
      join(empty, 'server.js'),
      "require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () => console.log('listening'));\n",
    );
    for (const flag of ['--import', '--require']) {
      const app = spawn(process.execPath, [flag, '@lameduck/node/register', 'server.js'], {
        cwd: empty,
        env: { ...env, TERMINATION_GRACE_PERIOD_SECONDS: '10' },
      });
      try {
        let output = '';
        app.stdout.on('data', (chunk) => (output += chunk));
        app.stderr.on('data', (chunk) => (output += chunk));
        const exited = new Promise<number | null>((resolve) => app.on('close', resolve));
        await until(() => output.includes('listening'), 10_000, `${flag}: the app to listen (${output})`);
        app.kill('SIGTERM');
        assert.equal(await exited, 0, `${flag}: ${output}`);
        assert.match(output, /SIGTERM.*readiness now fails/, flag);
      } finally {
        app.kill('SIGKILL');
      }
    }
  });
});
