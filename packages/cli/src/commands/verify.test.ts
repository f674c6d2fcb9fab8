import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connect } from '../kube/client.js';
import { RESTARTED_AT_ANNOTATION } from '../kube/restart.js';
import { WATCH_LAG_ALLOWANCE_MS } from '../recording/records.js';
import {
  type ApiCluster,
  binPath,
  failureCauses,
  repoRoot,
  runCli,
  startApiCluster,
  until,
} from '../testing/helpers.js';
import { verifyReport } from '../verify/report.js';
import { Verify } from '../verify/run.js';

const QUICK = ['--rate', '50/s', '--baseline', '1s', '--tail', '1s', '--no-progress'];

/** verify deployment/web against the test cluster, quickly, with any extra flags. */
function verifyArgs(c: ApiCluster, ...extra: string[]): string[] {
  return ['verify', 'deployment/web', '--kubeconfig', c.kubeconfig, '--url', c.url, ...QUICK, ...extra];
}

describe('lameduck verify against a Kubernetes API over the emulated cluster', () => {
  const clusters: ApiCluster[] = [];
  after(async () => {
    for (const cluster of clusters) await cluster.close();
  });
  const start = async (settings: Parameters<typeof startApiCluster>[0]) => {
    const cluster = await startApiCluster(settings);
    clusters.push(cluster);
    return cluster;
  };

  it('restarts with the kubectl annotation only, watches the rollout to the end, and passes a draining app', async () => {
    const c = await start({ mode: 'lameduck', preStopSeconds: 2 });
    const html = join(tmpdir(), `lameduck-verify-${process.pid}.html`);
    const run = await runCli(verifyArgs(c, '--format', 'json', '--report', html));
    assert.equal(run.code, 0, run.stderr);
    const page = await readFile(html, 'utf8');
    await rm(html);
    assert.match(page, /lameduck verify: deployment\/web \(shop\)/);
    assert.match(page, /Measured on the cluster/);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, 'pass');
    assert.equal(report.requests.failed, 0);
    assert.ok(report.requests.total > 100);
    // The only write: one strategic merge patch of the template annotation, as kubectl makes it.
    assert.equal(c.api.writes.length, 1);
    const [write] = c.api.writes;
    assert.equal(write?.contentType, 'application/strategic-merge-patch+json');
    assert.match(
      JSON.stringify(write?.body),
      new RegExp(
        `"${RESTARTED_AT_ANNOTATION.replace('.', '\\.')}":"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"`,
      ),
    );
    const types = report.events.map((e: { type: string }) => e.type);
    assert.ok(types.indexOf('rollout-start') < types.indexOf('rollout-complete'));
    assert.equal(types.filter((t: string) => t === 'terminating').length, 2);
    assert.equal(types.filter((t: string) => t === 'pod-deleted').length, 2);
    // Both old pods measured: removal from the Service's ready endpoints, SIGTERM 2 s after deletion.
    assert.equal(report.measured.pods.length, 2);
    for (const replica of report.replicas.filter(
      (r: { terminatingAt: number | null }) => r.terminatingAt !== null,
    )) {
      // Deletion + preStop as verify saw the deletion; a watch that delivered it late moves the
      // estimate earlier, up to the allowance, and never past the exit. 0.2 ms: JSON rounding.
      const estimate = replica.sigtermAt - replica.terminatingAt;
      assert.ok(
        estimate <= 2000.2 && estimate >= 2000 - WATCH_LAG_ALLOWANCE_MS,
        `SIGTERM is estimated at deletion + preStop, within the watch allowance (${estimate} ms)`,
      );
      assert.ok(replica.sigtermAt <= replica.exitAt, 'SIGTERM before the exit');
      assert.ok(replica.endpointRemovedAt['service/web'] !== undefined);
    }
    assert.equal(c.cluster.revision, 2);
  });

  it('fails an app that exits on SIGTERM with no preStop, names the stale endpoint, and recommends a preStop', async () => {
    const c = await start({ mode: 'exit', propagation: { min: 1, max: 2 } });
    const run = await runCli(verifyArgs(c, '--method', 'POST', '--format', 'json'));
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, 'fail');
    assert.ok(report.requests.failed > 0);
    assert.deepEqual(Object.keys(report.requests.byClass), ['proxy-502']);
    // Mostly new requests sent to a pod that has already exited; an upstream keep-alive connection
    // closed by the exit just as a POST went out on it is the same bug, seen from the other side.
    const causes = report.diagnosis.map((d: { cause: string }) => d.cause);
    assert.equal(causes[0], 'stale-endpoint');
    assert.deepEqual(
      causes.filter((c: string) => c !== 'stale-endpoint' && c !== 'keepalive-race'),
      [],
    );
    // Requests reached a terminating pod up to ~2 s after deletion: the preStop must cover that and the margin.
    assert.ok(report.measured.lastFailureAfterDeletionSeconds > 0.5);
    assert.ok(report.measured.recommendedPreStopSeconds >= 3);
    assert.match(
      report.diagnosis[0].advice,
      new RegExp(`at least ${report.measured.recommendedPreStopSeconds} s`),
    );
  });

  it('with only the workload, the kubeconfig and --url: every default as a user meets it', async () => {
    const c = await start({ mode: 'lameduck', preStopSeconds: 1 });
    const run = await runCli(['verify', 'deployment/web', '--kubeconfig', c.kubeconfig, '--url', c.url]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^lameduck verify: deployment\/web \(shop\), rolling restart {2}PASS$/m);
    // The documented defaults: 200 req/s open model, GET, keep-alive.
    assert.match(run.stdout, /; 200 req\/s GET http:\/\/127\.0\.0\.1:\d+\/, keep-alive on\n/);
    assert.doesNotMatch(run.stdout, /Failed threshold/);
  });

  it('--dry-run checks the patch on the server and changes nothing', async () => {
    const c = await start({ mode: 'lameduck' });
    const run = await runCli(['verify', 'deployment/web', '--kubeconfig', c.kubeconfig, '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /would patch deployment\/web in namespace shop/);
    assert.match(run.stdout, /kubectl\.kubernetes\.io\/restartedAt/);
    assert.deepEqual(
      c.api.writes.map((w) => w.dryRun),
      [true],
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(c.cluster.revision, 1);
  });

  it('refuses a paused Deployment, as kubectl rollout restart does, without writing', async () => {
    const c = await start({ mode: 'lameduck', paused: true });
    const run = await runCli(['verify', 'deployment/web', '--kubeconfig', c.kubeconfig, '--url', c.url]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /deployment\/web is paused; resume it first \(kubectl rollout resume deployment\/web\)/,
    );
    assert.equal(c.api.writes.length, 0);
  });

  it('explains an RBAC 403 with the verb, the resource and where the Role is', async () => {
    const c = await start({ mode: 'lameduck' });
    c.api.forbid('patch', 'deployments.apps');
    const patch = await runCli(['verify', 'deployment/web', '--kubeconfig', c.kubeconfig, '--dry-run']);
    assert.equal(patch.code, 2);
    assert.match(
      patch.stderr,
      /forbidden: this user may not patch deployments\.apps in namespace shop .*; grant it with the Role in docs\/verify\.md#rbac/,
    );
    c.api.forbid('watch', 'pods');
    const watch = await runCli(verifyArgs(c));
    assert.equal(watch.code, 2);
    assert.match(watch.stderr, /forbidden: this user may not watch pods in namespace shop/);
    assert.doesNotMatch(watch.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('reads kubeconfig contexts and namespaces as kubectl does, and names what is wrong', async () => {
    const c = await start({ mode: 'lameduck' });
    const missing = await runCli([
      'verify',
      'deployment/web',
      '--kubeconfig',
      c.kubeconfig,
      '--context',
      'prod',
      '--dry-run',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /context "prod" is not in the kubeconfig; it has: lab/);
    const nofile = await runCli([
      'verify',
      'deployment/web',
      '--kubeconfig',
      '/nonexistent/config',
      '--dry-run',
    ]);
    assert.equal(nofile.code, 2);
    assert.match(nofile.stderr, /cannot read the kubeconfig \/nonexistent\/config/);
    const other = await runCli([
      'verify',
      'deployment/web',
      '--kubeconfig',
      c.kubeconfig,
      '-n',
      'other',
      '--dry-run',
    ]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /not found: .*web.*; check the name, the namespace \(-n\) and the context/);
    const api = await connect({
      env: { KUBECONFIG: `/nonexistent/a:${c.kubeconfig}`, HOME: '/nonexistent' },
    });
    assert.equal(api.namespace, 'shop', "the context's namespace, from the KUBECONFIG list");
    await assert.rejects(
      connect({ env: { HOME: '/nonexistent' } }),
      /KUBECONFIG is unset and ~\/\.kube\/config does not exist/,
    );
    const bad = await runCli(['verify', 'pod/web', '--dry-run']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"pod\/web" is not a workload; name it as kubectl does/);
  });

  it('gets its token from an exec credential plugin, as EKS, GKE and AKS kubeconfigs do; a rejected one is a 401 message', async () => {
    const c = await start({ mode: 'lameduck', token: 'from-plugin' });
    const plugin = join(c.dir, 'credential-plugin.mjs');
    await writeFile(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.argv[2] } }));\n`,
    );
    const kubeconfig = (token: string) =>
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: lab, cluster: {server: "${c.server}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: eks, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${process.execPath}", args: ["${plugin}", "${token}"], interactiveMode: Never}}}]`,
        'contexts: [{name: eks, context: {cluster: lab, user: eks, namespace: shop}}]',
        'current-context: eks',
        '',
      ].join('\n');
    const good = join(c.dir, 'good');
    await writeFile(good, kubeconfig('from-plugin'));
    const ok = await runCli(['verify', 'deployment/web', '--kubeconfig', good, '--dry-run']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /the API server accepted the patch as a dry run/);
    const bad = join(c.dir, 'bad');
    await writeFile(bad, kubeconfig('expired'));
    const rejected = await runCli(['verify', 'deployment/web', '--kubeconfig', bad, '--dry-run']);
    assert.equal(rejected.code, 2);
    assert.match(
      rejected.stderr,
      /did not accept the credentials \(401\): log in again or check the kubeconfig user/,
    );
    // The static token of the usual test kubeconfig is refused too: the plugin's token is what got through.
    assert.equal(
      (await runCli(['verify', 'deployment/web', '--kubeconfig', c.kubeconfig, '--dry-run'])).code,
      2,
    );
  });

  it('Ctrl-C stops the load and leaves the cluster as it is: the rollout goes on without verify', async () => {
    const c = await start({ mode: 'lameduck', preStopSeconds: 2 });
    const child = spawn(process.execPath, [binPath, ...verifyArgs(c)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => c.api.writes.length === 1, 20_000);
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      assert.match(stderr, /interrupted; load stopped, the cluster is left as it is/);
      // Nothing was undone: the restart stands and the cluster finishes it on its own.
      assert.equal(c.api.writes.length, 1);
      await until(() => c.cluster.isSettled() && c.cluster.livePods().every((p) => p.revision === 2), 20_000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps every change through dropped watch streams and a 410 Gone mid-rollout', async () => {
    const c = await start({ mode: 'lameduck', preStopSeconds: 1 });
    let faults = 0;
    c.log.onEvent((event) => {
      if (event.type !== 'terminating' || faults++ > 0) return;
      setTimeout(() => {
        c.api.compact();
        c.api.dropWatches();
      }, 50);
    });
    const api = await connect({ kubeconfig: c.kubeconfig });
    const verify = new Verify({
      api,
      ref: { kind: 'Deployment', name: 'web' },
      namespace: 'shop',
      url: new URL(c.url),
      model: { kind: 'open', rate: 30 },
      keepAlive: true,
      method: 'GET',
      timeoutMs: 5000,
      durationMs: 0,
      baselineMs: 500,
      tailMs: 500,
      rolloutTimeoutMs: 30_000,
    });
    const run = await verify.run(await verify.prepare());
    assert.ok(run.watch.relists >= 1, `relisted after 410 (${JSON.stringify(run.watch)})`);
    assert.ok(run.watch.reconnects >= 1);
    const types = run.recording.events.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'terminating').length, 2);
    assert.equal(types.filter((t) => t === 'pod-deleted').length, 2);
    assert.ok(types.includes('rollout-complete'));
    const report = verifyReport(
      run.recording,
      { target: run.target, workload: 'deployment/web', url: c.url, load: 'test', keepAlive: true },
      [],
    );
    assert.deepEqual(failureCauses(report), {});
  });
});
