import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { labApp, labJson, quickLab, runCli } from '../test-helpers.js';

const app = labApp;
const quick = quickLab;

describe('lameduck lab', { timeout: 60_000 }, () => {
  it('asks for the command after --', async () => {
    const run = await runCli(['lab']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /give the command that starts one replica after --/);
  });

  it('names the flag that is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--rate', 'fast'], /--rate must be requests per second such as 200\/s, not "fast"/],
      [['--data-plane', 'istio'], /--data-plane must be one of kube-proxy, ingress, both, not "istio"/],
      [['--propagation', '4s..1s'], /--propagation must be a range such as 1s..4s/],
      [['--rate', '10/s', '--concurrency', '5'], /give one/],
      [['--fail-on', 'lost>0'], /cannot read --fail-on "lost>0"/],
      [['--nodes', '40', '--profile', 'large'], /give one of --propagation, --nodes and --profile/],
    ];
    for (const [flags, message] of cases) {
      const run = await runCli(['lab', ...flags, '--', 'node', app]);
      assert.equal(run.code, 2, flags.join(' '));
      assert.match(run.stderr, message);
    }
  });

  it('reports a manifest problem with the file name', async () => {
    const run = await runCli(['lab', '-f', app, '--', 'node', app]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /lameduck lab: .*app\.mjs/);
  });

  it("stops with the replica's own output when the command exits at once", async () => {
    const run = await runCli([
      'lab',
      ...quick,
      '--',
      process.execPath,
      '-e',
      "console.error('boom: missing config'); process.exit(3)",
    ]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /replica app-r1-\d exited with code 3 while starting; check the command after --/,
    );
    assert.match(run.stderr, /app-r1-\d\| boom: missing config/);
  });

  it('explains a port conflict when replicas ignore $PORT', async () => {
    const fixed = "require('http').createServer((q, s) => s.end()).listen(18765, '127.0.0.1')";
    const run = await runCli(['lab', ...quick, '--', process.execPath, '-e', fixed]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /could not listen: its port is taken; every replica must listen on the port in \$PORT/,
    );
  });

  it('gives up on a replica that never becomes ready, and says what to check', async () => {
    const run = await runCli([
      'lab',
      ...quick,
      '--readiness-path',
      '/nowhere',
      '--ready-timeout',
      '2s',
      '--',
      process.execPath,
      '-e',
      "require('http').createServer((q, s) => { s.statusCode = 404; s.end(); }).listen(process.env.PORT, '127.0.0.1')",
    ]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /did not become ready within 2 s; does it listen on \$PORT and pass its readiness probe\?/,
    );
  });

  it('rehearses a rollout and writes the JSON report and the HTML timeline', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lameduck-lab-'));
    const html = join(directory, 'lab.html');
    const { code, stderr, report } = await labJson(
      ['--prestop', '1s', '--readiness-path', '/healthz', '--report', html],
      'lameduck',
    );
    assert.equal(code, 0, stderr);
    assert.equal(report.verdict, 'pass');
    assert.deepEqual(Object.keys(report.requests), ['total', 'ok', 'failed', 'dropped', 'late', 'byClass']);
    assert.equal(report.requests.failed, 0);
    assert.ok(report.requests.total >= 100);
    assert.deepEqual(Object.keys(report.latencyMs), ['p50', 'p90', 'p99', 'max']);
    const old = report.replicas.filter((r: { terminatingAt: number | null }) => r.terminatingAt !== null);
    assert.equal(old.length, 2);
    for (const replica of old) {
      assert.equal(replica.exitCode, 0);
      assert.equal(replica.signal, null);
      assert.equal(replica.killedAt, null);
      // preStop 1 s: SIGTERM a second after termination began.
      assert.ok(Math.abs(replica.sigtermAt - replica.terminatingAt - 1000) < 100);
    }
    assert.ok(report.events.some((e: { type: string }) => e.type === 'endpoint-removed'));
    assert.deepEqual(report.diagnosis, []);
    assert.ok(existsSync(html));
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/);
  });
});
