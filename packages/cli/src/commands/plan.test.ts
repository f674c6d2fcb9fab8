import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fixture, runBin, runCli } from '../testing/helpers.js';

const guide = 'examples/guide/deployment.yaml';
const timelineOf = (stdout: string) =>
  stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('t='));

describe('lameduck plan', () => {
  it("prints the guide's own timeline for its complete configuration, with 20 s slack, exit 0", async () => {
    const run = await runCli(['plan', '-f', `${process.cwd()}/${guide}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(timelineOf(run.stdout), [
      't=0s   Pod marked Terminating; endpoint removal starts (Track B)',
      't=0s   preStop sleep begins (Track A)',
      't=15s  preStop completes; SIGTERM sent to application',
      't=15s  Application stops accepting connections, starts draining',
      't=40s  Application exits (25s drain window)',
      't=60s  SIGKILL would fire (never reached if shutdown succeeds)',
    ]);
    assert.match(run.stdout, /OK {5}the app exits 20s before SIGKILL/);
    assert.match(run.stdout, /No changes needed\./);
  });

  it('reports grace left at 30 with preStop 15 and drain 20 as SIGKILL at t=30s, 5 s early, exit 1, with a patch to 45', async () => {
    const run = await runCli(['plan', '-f', `${process.cwd()}/examples/default-grace/deployment.yaml`]);
    assert.equal(run.code, 1);
    assert.ok(
      timelineOf(run.stdout).includes('t=30s  SIGKILL fires: drain cut 5s before it ends (exit code 137)'),
    );
    assert.match(run.stdout, /CUT {4}SIGKILL at t=30s, 5s before the drain ends/);
    assert.match(
      run.stdout,
      /kubectl patch deployment checkout -n shop --type strategic --patch-file patch\.yaml/,
    );
    assert.match(run.stdout, /terminationGracePeriodSeconds: 45/);
    assert.match(
      run.stdout,
      /After the patch, api: SIGTERM at t=15s, SIGKILL at t=45s; the app exits 10s before SIGKILL/,
    );
  });

  it('agrees with lint that SIGTERM never reaches an app started by sh -c: KILLED, exit 1', async () => {
    const file = fixture('plan/shell-wrapped.yaml');
    const plan = await runCli(['plan', '-f', file]);
    assert.equal(plan.code, 1, plan.stdout);
    assert.deepEqual(timelineOf(plan.stdout), [
      't=0s   Pod marked Terminating; endpoint removal starts (Track B)',
      't=0s   No preStop hook; SIGTERM sent to application, but PID 1 (a shell or package manager) swallows it',
      't=30s  SIGKILL fires: the app never saw SIGTERM and is killed with requests in flight (exit code 137)',
    ]);
    assert.match(plan.stdout, /KILLED SIGTERM never reaches the app, so SIGKILL at t=30s ends it/);
    assert.match(plan.stdout, /review {2}command \(web\) +\["sh","-c","node server\.js"\]/);
    const json = JSON.parse((await runCli(['plan', '-f', file, '--format', 'json'])).stdout);
    assert.equal(json.plans[0].verdict, 'unreached');
    assert.match(
      json.plans[0].sigtermLost,
      /sh is dash in node:20-slim, which does not exec even the last command/,
    );
    const lint = await runCli(['lint', file]);
    assert.equal(lint.code, 1);
    assert.match(lint.stdout, /error +sh is dash .*\[shell-wrapped-command\]/);
  });

  it('shows the 2 s floor when preStop uses the whole grace period', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/overrun.yaml'), '--drain', '5s']);
    assert.ok(
      timelineOf(run.stdout).includes(
        "t=32s  SIGKILL fires: drain cut 3s before it ends (exit code 137) (the kubelet's 2s minimum after SIGTERM)",
      ),
    );
    assert.equal(run.code, 1);
  });

  it('without a manifest prints the recommendation and a complete Deployment that plans clean', async () => {
    const run = await runCli(['plan', '--nodes', '40', '--workload', 'http', '--drain', '20s']);
    assert.equal(run.code, 0, run.stderr);
    const yaml = run.stdout.slice(run.stdout.indexOf('apiVersion:'));
    const deployment = parse(yaml);
    const podSpec = deployment.spec.template.spec;
    assert.equal(podSpec.terminationGracePeriodSeconds, 45);
    assert.deepEqual(podSpec.containers[0].lifecycle.preStop, { sleep: { seconds: 10 } });
    assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    const replan = await runCli(['plan', '-f', '-', '--nodes', '40'], yaml);
    assert.match(replan.stdout, /No changes needed\./);
  });

  it('emits the documented JSON shape, one object per workload/container', async () => {
    const run = await runCli(['plan', '-f', `${process.cwd()}/${guide}`, '--format', 'json']);
    const json = JSON.parse(run.stdout);
    assert.equal(json.schemaVersion, 2);
    assert.equal(json.plans.length, 1);
    const [plan] = json.plans;
    assert.equal(plan.workload, 0);
    assert.deepEqual(
      {
        object: plan.object,
        container: plan.container,
        preStop: plan.preStop,
        sigtermAt: plan.sigtermAt,
        sigkillAt: plan.sigkillAt,
        drainSeconds: plan.drainSeconds,
        slackSeconds: plan.slackSeconds,
        verdict: plan.verdict,
        patch: json.workloads[plan.workload].patch,
      },
      {
        object: { kind: 'Deployment', name: 'my-app', namespace: null },
        container: 'app',
        preStop: { kind: 'sleep', seconds: 15, outcome: 'runs', cut: false, note: null },
        sigtermAt: 15,
        sigkillAt: 60,
        drainSeconds: 25,
        slackSeconds: 20,
        verdict: 'ok',
        patch: null,
      },
    );
    assert.deepEqual(
      plan.recommendations.map((r: { id: string; action: string }) => `${r.id}:${r.action}`),
      ['prestop:keep', 'grace-period:keep', 'rolling-update:keep', 'readiness-probe:keep'],
    );
  });

  it('shows the parties in front of the pod on the timeline, and the slowest decides the preStop: an ALB sends new requests only until it deregisters the pod', async () => {
    const file = fixture('plan/front-of-pod.yaml');
    const run = await runCli(['plan', '-f', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(timelineOf(run.stdout).slice(0, 5), [
      't=0s     Pod marked Terminating; endpoint removal starts (Track B)',
      't=0-45s  the ALB of Ingress web sends it new requests until the controller deregisters it (up to 30s), then lets requests in flight run until the delay ends (deregistration_delay.timeout_seconds 45)',
      "t=0-30s  an external load balancer takes the pod out of rotation, in the guide's 15-30s for external load balancers (LoadBalancer Service web-public)",
      't=0-20s  istio-proxy gets SIGTERM, drains, then exits (terminationDrainDuration 20s)',
      't=0s     preStop sleep begins (Track A)',
    ]);
    assert.match(
      run.stdout,
      /change {2}prestop \(app\) +sleep 10s \(native\) -> sleep 30s \(native\) +\(10s is shorter than the 15-30s an external load balancer \(LoadBalancer Service web-public\) needs\)/,
    );
    assert.match(
      run.stdout,
      /change {2}grace-period +45s -> 50s +\(preStop \+ drain \+ buffer = 30 \+ 10 \+ 10 = 50s/,
    );
    const json = JSON.parse((await runCli(['plan', '-f', file, '--format', 'json'])).stdout);
    const [workload] = json.workloads;
    assert.deepEqual(
      workload.frontOfPod.map((p: { party: string; from: number; until: number | null }) => [
        p.party,
        p.from,
        p.until,
      ]),
      [
        ['aws-alb', 0, 45],
        ['load-balancer', 0, 30],
        ['istio-proxy', 0, 20],
      ],
    );
    assert.deepEqual(workload.frontOfPod[0].sendsFor, { min: 15, max: 30 });
    assert.deepEqual(workload.preStopCoverage, {
      min: 15,
      max: 30,
      decidedBy: 'an external load balancer (LoadBalancer Service web-public)',
      party: 'load-balancer',
    });
  });

  it('shows a party with no window of its own at one instant: ingress-nginx, and a Linkerd proxy that does not wait', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/ingress-nginx-linkerd.yaml')]);
    assert.deepEqual(timelineOf(run.stdout).slice(1, 3), [
      't=0s   ingress-nginx removes the endpoint at its next sync; retries a refused connection on another pod; reuses idle connections to the pod (upstream-keepalive-timeout 60s by default, proxy-next-upstream "error timeout")',
      't=0s   linkerd-proxy gets SIGTERM at once and stops taking connections (config.alpha.linkerd.io/proxy-wait-before-exit-seconds 0 by default)',
    ]);
  });

  it('notes a Kyverno policy that caps the grace period below the one it recommends', async () => {
    const file = fixture('plan/grace-capped.yaml');
    const run = await runCli(['plan', '-f', file]);
    assert.match(
      run.stdout,
      /note {3}Kyverno ClusterPolicy max-grace admits terminationGracePeriodSeconds up to 40s \(pattern "<=40"\): the API server rejects the 50s recommended here/,
    );
    const json = JSON.parse((await runCli(['plan', '-f', file, '--format', 'json'])).stdout);
    assert.equal(json.workloads[0].notes.length, 1);
  });

  it('without anything in front, the cluster size decides the preStop and frontOfPod is empty', async () => {
    const json = JSON.parse(
      (await runCli(['plan', '-f', `${process.cwd()}/${guide}`, '--format', 'json'])).stdout,
    );
    assert.deepEqual(json.workloads[0].frontOfPod, []);
    assert.deepEqual(json.workloads[0].preStopCoverage, {
      min: 10,
      max: 15,
      decidedBy: 'a medium cluster',
      party: null,
    });
  });

  it('gives an Argo Rollout a JSON patch (no strategic merge for custom resources)', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/rollout.yaml'), '--format', 'json']);
    const [plan] = JSON.parse(run.stdout).workloads;
    assert.equal(plan.patch.type, 'json');
    assert.deepEqual(plan.patch.content[0], {
      op: 'add',
      path: '/spec/template/spec/containers/0/lifecycle',
      value: { preStop: { sleep: { seconds: 15 } } },
    });
  });

  it('--container narrows the plan, and an unknown name is a usage error', async () => {
    const ok = await runCli([
      'plan',
      '-f',
      `${process.cwd()}/${guide}`,
      '--container',
      'app',
      '--format',
      'json',
    ]);
    assert.equal(JSON.parse(ok.stdout).plans.length, 1);
    const missing = await runCli(['plan', '-f', `${process.cwd()}/${guide}`, '--container', 'nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no container named "nope"/);
  });
});

describe('lameduck plan: bad input is one clear line and exit 2', () => {
  const oneLine = (stderr: string) => stderr.trimEnd().split('\n');

  it('a missing file', async () => {
    const run = await runCli(['plan', '-f', 'no/such/deploy.yaml']);
    assert.equal(run.code, 2);
    assert.deepEqual(oneLine(run.stderr), [
      'lameduck plan: no/such/deploy.yaml: no such file or directory; check the path',
    ]);
  });

  it('unreadable YAML, at its line', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/invalid.yaml')]);
    assert.equal(run.code, 2);
    const [line, ...rest] = oneLine(run.stderr);
    assert.match(line ?? '', /invalid\.yaml:\d+:\d+: invalid YAML: .*; fix the syntax at that line$/);
    assert.deepEqual(rest, []);
  });

  it('a document without a pod template, at its line', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/no-template.yaml')]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /no-template\.yaml:13:1: Deployment web: Deployment has no spec\.template\.spec\n$/,
    );
  });

  it('a file with no workload at all names what it found', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/service-only.yaml')]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /service-only\.yaml:1:1: no workload with a pod template \(found only Service\)/,
    );
  });

  it('an unrendered Helm template, at the first template line, with what to run', async () => {
    const run = await runCli(['plan', '-f', fixture('plan/helm-template.yaml')]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /helm-template\.yaml:4:1: unrendered Helm template \(\{\{ \.\.\. \}\}\); render it first: helm template/,
    );
  });

  it('conflicting and malformed flags', async () => {
    const both = await runCli(['plan', '--nodes', '10', '--profile', 'large']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--nodes and --profile both set the cluster size/);
    const drain = await runCli(['plan', '--drain', 'twenty']);
    assert.equal(drain.code, 2);
    assert.match(drain.stderr, /--drain "twenty" is not a duration/);
    const format = await runCli(['plan', '--format', 'xml']);
    assert.equal(format.code, 2);
  });
});

describe('lameduck plan: the real binary', () => {
  it('reads stdin with -f -, as in helm template . | lameduck plan -f -', async () => {
    const { readFile } = await import('node:fs/promises');
    const run = await runBin(['plan', '-f', '-'], { stdin: await readFile(guide, 'utf8') });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Deployment my-app {2}<stdin>:2/);
  });

  it('exits 2 with no stack trace on bad input', async () => {
    const run = await runBin(['plan', '-f', 'missing.yaml']);
    assert.equal(run.code, 2);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('answers to kubectl-lameduck as `kubectl lameduck`', async () => {
    const { mkdtemp, symlink } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { binPath } = await import('../testing/helpers.js');
    const dir = await mkdtemp(`${tmpdir()}/lameduck-`);
    await symlink(binPath, `${dir}/kubectl-lameduck`);
    const run = await runBin(['--help'], { argv0: `${dir}/kubectl-lameduck` });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: kubectl lameduck/);
  });
});
