import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { labApp, labJson, quickLab, runCli } from '../testing/helpers.js';

const app = labApp;
const quick = quickLab;

describe('lameduck lab', { timeout: 120_000 }, () => {
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
    // A readiness probe on $PORT keeps both replicas unready, so the lab waits until the second
    // one's EADDRINUSE however slowly node starts (without one, a pod is ready once started).
    const run = await runCli(['lab', ...quick, '--readiness-path', '/', '--', process.execPath, '-e', fixed]);
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

  it('with only the command: 3 replicas, no preStop, 30 s of 200 req/s through both data planes, and the default verdict', async () => {
    // The lab's defaults describe a Deployment with no preStop: the race the guide is about, so it fails.
    const run = await runCli(['lab', '--', process.execPath, app, 'lameduck']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^lameduck lab: app, 1 rolling restart {2}FAIL$/m);
    assert.match(
      run.stdout,
      /^3 replicas, grace 30 s, preStop none; kube-proxy \+ ingress, propagation 1-4 s \(default\); 200 req\/s GET \/, keep-alive on;/m,
    );
    assert.match(run.stdout, /add or lengthen the preStop sleep/);
    assert.match(run.stdout, /^Failed threshold: errors>0$/m);
  });

  it('fails by default when the grace period ends a replica with SIGKILL, with no --fail-on given', async () => {
    // app.mjs "none" has no SIGTERM handler: as PID 1 it ignores SIGTERM and is killed at the end of grace.
    const run = await runCli([
      'lab',
      ...quick,
      '--grace',
      '2',
      '--format',
      'json',
      '--',
      process.execPath,
      app,
      'none',
    ]);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, 'fail', run.stderr);
    assert.equal(run.code, 1);
    const killed = report.replicas.filter((r: { exitCode: number | null }) => r.exitCode === 137);
    assert.equal(killed.length, 2);
    assert.deepEqual(report.thresholds, [
      { threshold: 'errors>0', crossed: report.requests.failed > 0 },
      { threshold: 'sigkill>0', crossed: true },
    ]);
  });

  it('lists sigkill>0 in the default --fail-on of --help', async () => {
    const run = await runCli(['lab', '--help']);
    assert.match(
      run.stdout,
      // Whitespace anywhere: the help wraps at the width of the longest option.
      /sigkill>0,\s+error-rate>0\.1%,\s+p99>500ms,\s+window>1s\s+\(default:\s+"errors>0,sigkill>0"\)/,
    );
  });

  it("says to put the replica command after -- when its own option is read as lab's", async () => {
    const run = await runCli(['lab', '--replicas', '2', 'node', 'server.mjs', '--inspect']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown option '--inspect'/);
    assert.match(
      run.stderr,
      /lameduck lab: the command that starts a replica goes after --, so that its own options are not read as lab's: lameduck lab --replicas 2 -- node server\.mjs --inspect/,
    );
  });

  it('names the address and port it probed when a server listens only on ::1', async () => {
    const run = await runCli([
      'lab',
      ...quick,
      '--readiness-path',
      '/healthz',
      '--ready-timeout',
      '2s',
      '--',
      process.execPath,
      '-e',
      "require('http').createServer((q, s) => s.end()).listen(process.env.PORT, '::1')",
    ]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /Its readiness probe last failed: GET http:\/\/127\.0\.0\.1:\d+\/healthz: ECONNREFUSED \(the lab probes 127\.0\.0\.1, as the kubelet probes the pod IP: a server that listens only on ::1/,
    );
  });

  it("says in the report's header that the command after -- replaces the manifest's own", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lameduck-lab-'));
    const manifest = join(directory, 'deploy.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          command: ["sh", "-c", "node server.js"]
          lifecycle: { preStop: { sleep: { seconds: 1 } } }
`,
    );
    const run = await runCli(['lab', ...quick, '-f', manifest, '--', process.execPath, app, 'lameduck']);
    assert.match(
      run.stdout,
      /^each replica runs: \S+ \S+app\.mjs lameduck \(the command after --, in place of the manifest's \["sh","-c","node server\.js"\]\)$/m,
    );
  });
});
