/**
 * `lameduck verify` against the real single-node cluster of scripts/cluster: client certificates,
 * service-account tokens and an exec credential plugin against a real apiserver over TLS, the
 * documented Role as the only grant, the real EndpointSlice controller and kube-proxy, and the
 * apiserver's audit log as the witness of what verify wrote. Load goes to 127.0.0.1 NodePorts only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, parseAllDocuments } from 'yaml';
import { RESTARTED_AT_ANNOTATION } from '../kube/restart.js';
import {
  ADMIN_KUBECONFIG,
  type AuditEvent,
  apply,
  appManifest,
  auditEvents,
  auditLogSize,
  deployApp,
  kubectl,
  requireCluster,
  testNamespace,
  userKubeconfig,
} from '../testing/cluster-kit.js';
import { type CliRun, repoRoot, runCli } from '../testing/helpers.js';

/** Short phases: the rollout itself is what takes the time. */
const QUICK = ['--baseline', '3s', '--tail', '3s', '--rate', '100/s', '--format', 'json', '--no-progress'];
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface RoleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules: Rule[];
}

/** The Role exactly as docs/verify.md#rbac documents it, moved to `namespace`: the doc is what is tested. */
async function documentedRole(namespace: string): Promise<RoleObject> {
  const doc = await readFile(join(repoRoot, 'docs/verify.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## RBAC'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'docs/verify.md has a yaml block under ## RBAC');
  const role = parseAllDocuments(block)
    .map((d) => d.toJS() as RoleObject)
    .find((o) => o?.kind === 'Role');
  assert.ok(role, 'the block holds a Role');
  return { ...role, metadata: { ...role.metadata, namespace } };
}

function roleBinding(namespace: string, role: string, subject: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${role}-${subject.kind?.toLowerCase()}`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
    subjects: [subject],
  });
}

/** Grants `role` to a client-certificate user; returns its kubeconfig and a cleanup of its files. */
async function certificateUser(
  namespace: string,
  role: RoleObject,
): Promise<{ user: string; kubeconfig: string; remove(): Promise<void> }> {
  const user = `lameduck-verify-${randomBytes(4).toString('hex')}`;
  await apply(JSON.stringify(role));
  await apply(
    roleBinding(namespace, role.metadata.name, {
      kind: 'User',
      apiGroup: 'rbac.authorization.k8s.io',
      name: user,
    }),
  );
  const kubeconfig = await userKubeconfig(user);
  return {
    user,
    kubeconfig,
    remove: async () => {
      const base = kubeconfig.replace(/\.kubeconfig$/, '');
      for (const file of [kubeconfig, `${base}.crt`, `${base}.key`]) await rm(file, { force: true });
    },
  };
}

/** A ServiceAccount bound to `role`, and a short-lived token for it (TokenRequest, as kubectl create token). */
async function serviceAccountToken(
  namespace: string,
  role: RoleObject,
): Promise<{ user: string; token: string }> {
  await apply(JSON.stringify(role));
  await kubectl(['-n', namespace, 'create', 'serviceaccount', 'lameduck']);
  await apply(
    roleBinding(namespace, role.metadata.name, { kind: 'ServiceAccount', name: 'lameduck', namespace }),
  );
  const token = (await kubectl(['-n', namespace, 'create', 'token', 'lameduck', '--duration=10m'])).trim();
  assert.match(token, /^eyJ/);
  return { user: `system:serviceaccount:${namespace}:lameduck`, token };
}

/** The admin kubeconfig's server and CA: what a kubeconfig for another user of this cluster needs. */
function clusterEntry(): { server: string; 'certificate-authority-data': string } {
  const admin = parse(readFileSync(ADMIN_KUBECONFIG, 'utf8')) as {
    clusters: {
      cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string };
    }[];
  };
  const cluster = admin.clusters[0]?.cluster;
  assert.ok(cluster, 'the admin kubeconfig has a cluster');
  const ca =
    cluster['certificate-authority-data'] ??
    readFileSync(cluster['certificate-authority'] as string).toString('base64');
  return { server: cluster.server, 'certificate-authority-data': ca };
}

function kubeconfigFor(user: Record<string, unknown>, namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lameduck', cluster: clusterEntry() }],
    users: [{ name: 'lameduck', user }],
    contexts: [{ name: 'lameduck', context: { cluster: 'lameduck', user: 'lameduck', namespace } }],
    'current-context': 'lameduck',
  });
}

/** The audit log's completed requests by `user` since byte offset `from`. */
function auditOf(user: string, from: number): AuditEvent[] {
  return auditEvents(from).filter((e) => e.user?.username === user && e.stage === 'ResponseComplete');
}

/** The user's writes, once the log has them: waits for `expected` of them, then a moment more for strays. */
async function auditWrites(user: string, from: number, expected: number): Promise<AuditEvent[]> {
  const writes = () => auditOf(user, from).filter((e) => WRITE_VERBS.has(e.verb));
  const deadline = Date.now() + 10_000;
  while (writes().length < expected && Date.now() < deadline) await sleep(250);
  await sleep(1500);
  return writes();
}

function restartedAt(requestObject: unknown): unknown {
  const annotations = (requestObject as { spec?: { template?: { metadata?: { annotations?: unknown } } } })
    ?.spec?.template?.metadata?.annotations as Record<string, unknown> | undefined;
  return annotations?.[RESTARTED_AT_ANNOTATION];
}

async function deploymentGeneration(namespace: string): Promise<string> {
  return kubectl(['-n', namespace, 'get', 'deployment/web', '-o', 'jsonpath={.metadata.generation}']);
}

const parseReport = (run: CliRun) => {
  try {
    return JSON.parse(run.stdout);
  } catch {
    assert.fail(`verify printed no JSON report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
};

describe('verify on a real Kubernetes', { timeout: 15 * 60_000 }, () => {
  requireCluster();

  it('passes a lameduck app behind a 5 s preStop, as a user holding only the documented Role, whose only write is the restart patch', {
    timeout: 180_000,
  }, async () => {
    const ns = await testNamespace('ld-verify-pass');
    let user: Awaited<ReturnType<typeof certificateUser>> | undefined;
    try {
      const { url } = await deployApp({
        namespace: ns.name,
        mode: 'lameduck',
        preStopSeconds: 5,
        nodePort: 30101,
      });
      user = await certificateUser(ns.name, await documentedRole(ns.name));
      const from = auditLogSize();
      const run = await runCli([
        'verify',
        'deployment/web',
        '-n',
        ns.name,
        '--kubeconfig',
        user.kubeconfig,
        '--url',
        url,
        ...QUICK,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const report = parseReport(run);
      assert.equal(report.verdict, 'pass', JSON.stringify(report.diagnosis));
      assert.equal(report.requests.failed, 0);
      assert.ok(report.requests.total > 300, `${report.requests.total} requests`);
      // Both old pods, each with its removal from the Service's ready endpoints as the real
      // EndpointSlice controller wrote it: after the deletion, and well inside the 5 s preStop.
      assert.equal(report.measured.pods.length, 2, JSON.stringify(report.measured));
      for (const pod of report.measured.pods) {
        assert.equal(typeof pod.endpointRemovalSeconds, 'number', JSON.stringify(pod));
        assert.ok(pod.endpointRemovalSeconds >= 0 && pod.endpointRemovalSeconds < 5, JSON.stringify(pod));
      }
      const types = report.events.map((e: { type: string }) => e.type);
      assert.equal(types.filter((t: string) => t === 'terminating').length, 2);
      assert.ok(types.indexOf('rollout-start') < types.indexOf('rollout-complete'));

      // The audit log: one write by this user, the strategic merge patch of the restart annotation.
      const writes = await auditWrites(user.user, from, 1);
      assert.equal(
        writes.length,
        1,
        `writes: ${JSON.stringify(writes.map((w) => [w.verb, w.requestURI, w.responseStatus?.code]))}`,
      );
      const [patch] = writes;
      assert.equal(patch?.verb, 'patch');
      assert.deepEqual(
        [
          patch?.objectRef?.apiGroup,
          patch?.objectRef?.resource,
          patch?.objectRef?.namespace,
          patch?.objectRef?.name,
        ],
        ['apps', 'deployments', ns.name, 'web'],
      );
      assert.equal(patch?.responseStatus?.code, 200);
      assert.doesNotMatch(patch?.requestURI ?? '', /dryRun/);
      assert.match(String(restartedAt(patch?.requestObject)), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(
        Object.keys(patch?.requestObject as object),
        ['spec'],
        'the patch sets the annotation and nothing else',
      );
      // And it read as it says: lists and watches, no other verb.
      const verbs = new Set(auditOf(user.user, from).map((e) => e.verb));
      assert.deepEqual(
        [...verbs].filter((v) => !['get', 'list', 'watch', 'patch'].includes(v)),
        [],
      );
      assert.ok(verbs.has('watch'));
    } finally {
      await user?.remove();
      await ns.remove();
    }
  });

  describe('an app that exits on SIGTERM with no preStop (2 replicas, keep-alive on)', () => {
    let ns: Awaited<ReturnType<typeof testNamespace>> | undefined;
    let run: CliRun;
    // biome-ignore lint/suspicious/noExplicitAny: the JSON report as printed
    let report: any;
    const summary = () =>
      JSON.stringify({
        byClass: report?.requests?.byClass,
        diagnosis: report?.diagnosis,
        measured: report?.measured,
      });
    before(
      async () => {
        ns = await testNamespace('ld-verify-exit');
        const { url } = await deployApp({ namespace: ns.name, mode: 'exit', nodePort: 30102 });
        run = await runCli([
          'verify',
          'deployment/web',
          '-n',
          ns.name,
          '--kubeconfig',
          ADMIN_KUBECONFIG,
          '--url',
          url,
          // A SYN to a pod whose network is gone hangs: bound it.
          '--timeout',
          '2s',
          ...QUICK,
        ]);
        report = run.stdout.startsWith('{') ? JSON.parse(run.stdout) : undefined;
      },
      { timeout: 180_000 },
    );
    after(
      async () => {
        await ns?.remove();
      },
      { timeout: 180_000 },
    );

    it('fails it, with the endpoint removals measured and a preStop recommended', () => {
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(report.verdict, 'fail');
      assert.ok(report.requests.failed > 0);
      assert.equal(report.measured.pods.length, 2, summary());
      for (const pod of report.measured.pods) assert.equal(typeof pod.endpointRemovalSeconds, 'number');
      // The slowest removal or the last failure after deletion, plus 2 s: at least 2 s.
      assert.ok(report.measured.recommendedPreStopSeconds >= 2, summary());
      assert.match(report.measured.basis, /plus 2 s for kube-proxy and ingress/);
    });

    it('names the endpoint race first and advises the measured preStop', () => {
      // Every failure pinned to its pod: the measurement then covers the last one after a deletion.
      assert.equal(typeof report.measured.lastFailureAfterDeletionSeconds, 'number', summary());
      const causes = report.diagnosis.map((d: { cause: string }) => d.cause);
      assert.ok(['stale-endpoint', 'keepalive-race'].includes(causes[0]), summary());
      const advice = report.diagnosis.map((d: { advice: string }) => d.advice).join('\n');
      assert.match(
        advice,
        new RegExp(`preStop sleep to at least ${report.measured.recommendedPreStopSeconds} s`),
        summary(),
      );
      assert.deepEqual(
        // An app that exits at once also cuts what it had in flight: the same missing drain.
        causes.filter((c: string) => !['stale-endpoint', 'keepalive-race', 'in-flight-cut'].includes(c)),
        [],
        summary(),
      );
    });
  });

  it('exits 2 with the documented 403 message when the Role lacks patch, and changes nothing', {
    timeout: 180_000,
  }, async () => {
    const ns = await testNamespace('ld-verify-forbidden');
    let user: Awaited<ReturnType<typeof certificateUser>> | undefined;
    try {
      const { url } = await deployApp({
        namespace: ns.name,
        mode: 'lameduck',
        preStopSeconds: 2,
        nodePort: 30103,
      });
      const documented = await documentedRole(ns.name);
      const withoutPatch = {
        ...documented,
        rules: documented.rules.filter((rule) => !rule.verbs.includes('patch')),
      };
      assert.equal(withoutPatch.rules.length, documented.rules.length - 1);
      user = await certificateUser(ns.name, withoutPatch);
      const generation = await deploymentGeneration(ns.name);
      const forbidden = new RegExp(
        `forbidden: this user may not patch deployments\\.apps in namespace ${ns.name} .*; grant it with the Role in docs/verify\\.md#rbac`,
      );
      const dry = await runCli([
        'verify',
        'deployment/web',
        '-n',
        ns.name,
        '--kubeconfig',
        user.kubeconfig,
        '--dry-run',
      ]);
      assert.equal(dry.code, 2, dry.stdout + dry.stderr);
      assert.match(dry.stderr, forbidden);
      assert.doesNotMatch(dry.stderr, /at .*\.js:\d+/, 'no stack trace');
      // A real run gets as far as the patch and stops there, with the same message.
      const real = await runCli([
        'verify',
        'deployment/web',
        '-n',
        ns.name,
        '--kubeconfig',
        user.kubeconfig,
        '--url',
        url,
        ...QUICK,
      ]);
      assert.equal(real.code, 2, real.stdout + real.stderr);
      assert.match(real.stderr, forbidden);
      assert.equal(await deploymentGeneration(ns.name), generation, 'the Deployment is unchanged');
    } finally {
      await user?.remove();
      await ns.remove();
    }
  });

  it('works with a ServiceAccount token (kubectl create token) bound to the documented Role', {
    timeout: 180_000,
  }, async () => {
    const ns = await testNamespace('ld-verify-token');
    const dir = await mkdtemp(join(tmpdir(), 'ld-verify-token-'));
    try {
      const { url } = await deployApp({
        namespace: ns.name,
        mode: 'lameduck',
        preStopSeconds: 3,
        nodePort: 30104,
      });
      const sa = await serviceAccountToken(ns.name, await documentedRole(ns.name));
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, kubeconfigFor({ token: sa.token }, ns.name), { mode: 0o600 });
      const generation = await deploymentGeneration(ns.name);
      const from = auditLogSize();
      // The namespace from the kubeconfig's context, as kubectl takes it.
      const dry = await runCli(['verify', 'deployment/web', '--kubeconfig', kubeconfig, '--dry-run']);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(dry.stdout, new RegExp(`would patch deployment/web in namespace ${ns.name} on https://`));
      assert.match(dry.stdout, /Services selecting its pods: web/);
      assert.match(dry.stdout, /the API server accepted the patch as a dry run/);
      const [dryPatch, ...others] = await auditWrites(sa.user, from, 1);
      assert.deepEqual(others, []);
      assert.equal(dryPatch?.verb, 'patch');
      assert.match(dryPatch?.requestURI ?? '', /[?&]dryRun=All/);
      assert.equal(dryPatch?.responseStatus?.code, 200);
      assert.equal(await deploymentGeneration(ns.name), generation, 'a dry run changes nothing');

      // A real run on the token: its watches hold for the whole rollout.
      const run = await runCli([
        'verify',
        'deployment/web',
        '--kubeconfig',
        kubeconfig,
        '--url',
        url,
        ...QUICK,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const report = parseReport(run);
      assert.equal(report.verdict, 'pass', JSON.stringify(report.diagnosis));
      assert.equal(report.measured.pods.length, 2);
      assert.notEqual(await deploymentGeneration(ns.name), generation, 'the restart happened');
    } finally {
      await rm(dir, { recursive: true, force: true });
      await ns.remove();
    }
  });

  it('gets its token from an exec credential plugin (client.authentication.k8s.io/v1); a rejected one is a 401 message', {
    timeout: 180_000,
  }, async () => {
    const ns = await testNamespace('ld-verify-exec');
    const dir = await mkdtemp(join(tmpdir(), 'ld-verify-exec-'));
    try {
      // The Deployment only: a dry run needs the object, not running pods.
      await apply(appManifest({ namespace: ns.name, mode: 'lameduck', nodePort: 30105 }));
      const sa = await serviceAccountToken(ns.name, await documentedRole(ns.name));
      const tokenFile = join(dir, 'token');
      await writeFile(tokenFile, sa.token, { mode: 0o600 });
      const plugin = join(dir, 'credential-plugin.mjs');
      await writeFile(
        plugin,
        [
          "import { readFileSync } from 'node:fs';",
          "const token = process.argv[2] === 'bad' ? 'not-a-token' : readFileSync(process.argv[3], 'utf8').trim();",
          "process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } }));",
          '',
        ].join('\n'),
      );
      const kubeconfig = (which: string) =>
        kubeconfigFor(
          {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: process.execPath,
              args: [plugin, which, tokenFile],
              interactiveMode: 'Never',
            },
          },
          ns.name,
        );
      await writeFile(join(dir, 'good'), kubeconfig('good'));
      await writeFile(join(dir, 'bad'), kubeconfig('bad'));
      const from = auditLogSize();
      const ok = await runCli(['verify', 'deployment/web', '--kubeconfig', join(dir, 'good'), '--dry-run']);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /the API server accepted the patch as a dry run/);
      // The apiserver saw the service account: the plugin's token is what authenticated.
      const writes = await auditWrites(sa.user, from, 1);
      assert.deepEqual(
        writes.map((w) => [w.verb, /dryRun=All/.test(w.requestURI)]),
        [['patch', true]],
      );
      const rejected = await runCli([
        'verify',
        'deployment/web',
        '--kubeconfig',
        join(dir, 'bad'),
        '--dry-run',
      ]);
      assert.equal(rejected.code, 2, rejected.stdout + rejected.stderr);
      assert.match(
        rejected.stderr,
        /did not accept the credentials \(401\): log in again or check the kubeconfig user/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
      await ns.remove();
    }
  });
});
