import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { binPath, labApp, labJson, processesWith, quickLab, repoRoot, until } from '../testing/helpers.js';

const app = labApp;
const quick = quickLab;
/** preStop 1 s and a readiness probe: the settings that lose nothing. */
const HEALTHY = ['--prestop', '1s', '--readiness-path', '/healthz'];

/** PIDs of processes whose command line contains `marker`. */
describe('lameduck lab scenarios and clean-up', { timeout: 60_000 }, () => {
  it('--scenario evict deletes one pod; the ReplicaSet replaces it at once', async () => {
    const { code, stderr, report } = await labJson(['--scenario', 'evict', ...HEALTHY], 'lameduck');
    assert.equal(code, 0, stderr);
    const names = report.replicas.map((r: { name: string }) => r.name);
    assert.deepEqual(names, ['app-r1-1', 'app-r1-2', 'app-r1-3']);
    const terminated = report.replicas.filter(
      (r: { terminatingAt: number | null }) => r.terminatingAt !== null,
    );
    assert.equal(terminated.length, 1);
    const replacement = report.events.find(
      (e: { type: string; pod?: string }) => e.type === 'pod-created' && e.pod === 'app-r1-3',
    );
    assert.ok(
      Math.abs(replacement.at - terminated[0].terminatingAt) < 100,
      'created as the evicted pod starts terminating',
    );
    assert.equal(report.requests.failed, 0);
  });

  it('--scenario scale-in removes one pod and creates none', async () => {
    const { code, stderr, report } = await labJson(['--scenario', 'scale-in', ...HEALTHY], 'lameduck');
    assert.equal(code, 0, stderr);
    assert.equal(report.replicas.length, 2);
    assert.equal(report.replicas.filter((r: { exitCode: number | null }) => r.exitCode === 0).length, 1);
    assert.equal(report.requests.failed, 0);
  });

  it("runs the manifest's probes and hooks: tcpSocket readiness, exec startup, failing exec liveness, failing exec preStop", async () => {
    const manifest = join(mkdtempSync(join(tmpdir(), 'lameduck-lab-')), 'deploy.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: probes }
spec:
  replicas: 2
  template:
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: app
          ports: [{ name: web, containerPort: 8080 }]
          startupProbe: { exec: { command: ["true"] }, periodSeconds: 1 }
          readinessProbe: { tcpSocket: { port: web }, periodSeconds: 1 }
          livenessProbe: { exec: { command: ["false"] }, initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 2 }
          lifecycle: { preStop: { exec: { command: ["sh", "-c", "exit 3"] } } }
`,
    );
    const { report } = await labJson(['-f', manifest], 'lameduck');
    const types = (pod: string) =>
      report.events.filter((e: { pod?: string }) => e.pod === pod).map((e: { type: string }) => e.type);
    const terminated = report.replicas.filter(
      (r: { terminatingAt: number | null }) => r.terminatingAt !== null,
    );
    assert.ok(terminated.length >= 1);
    for (const replica of terminated) {
      assert.equal(replica.failedPreStopHook, 'exit code 3');
      assert.ok(
        Math.abs(replica.sigtermAt - replica.preStopEndAt) < 50,
        'SIGTERM follows a failed hook at once',
      );
    }
    assert.ok(report.events.some((e: { type: string }) => e.type === 'liveness-failed'));
    assert.ok(report.events.some((e: { type: string }) => e.type === 'container-restart'));
    assert.ok(types('probes-r1-1').includes('ready'));
    assert.ok(report.diagnosis.some((d: { cause: string }) => d.cause === 'failed-prestop-hook'));
  });

  it('leaves no replica behind when the lab is SIGKILLed (no handler of its own runs)', async () => {
    const marker = `lameduck-lab-cleanup-SIGKILL-${process.pid}`;
    const child = spawn(
      process.execPath,
      [binPath, 'lab', ...quick, '--duration', '60s', '--', process.execPath, app, 'lameduck', marker],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => processesWith(`app.mjs lameduck ${marker}`).length >= 3, 20_000);
      child.kill('SIGKILL');
      await exited;
      await until(() => processesWith(marker).length === 0, 5_000);
    } finally {
      for (const pid of processesWith(marker)) process.kill(Number(pid), 'SIGKILL');
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`leaves no replica behind when the lab gets ${signal}`, async () => {
      const marker = `lameduck-lab-cleanup-${signal}-${process.pid}`;
      const child = spawn(
        process.execPath,
        [binPath, 'lab', ...quick, '--duration', '60s', '--', process.execPath, app, 'lameduck', marker],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        // The lab itself and two replicas carry the marker in their arguments.
        await until(() => processesWith(`app.mjs lameduck ${marker}`).length >= 3, 20_000);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        child.kill(signal);
        assert.equal(await exited, 130);
        assert.match(stderr, /interrupted; stopping every replica/);
        await until(() => processesWith(marker).length === 0, 5_000);
      } finally {
        child.kill('SIGKILL');
        for (const pid of processesWith(marker)) process.kill(Number(pid), 'SIGKILL');
      }
    });
  }
});
