/**
 * `lameduck collect` against the real single-node cluster of scripts/cluster: the bundle describes
 * this cluster's objects, and no secret planted in the workload leaves it: not a Secret-backed
 * environment variable, not a literal token or password in an env value (which `kubectl apply`
 * also copies into the last-applied-configuration annotation), not the pod's projected
 * ServiceAccount token. Load (with --with-restart) goes to a 127.0.0.1 NodePort only.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar';
import { parseAllDocuments } from 'yaml';
import {
  ADMIN_KUBECONFIG,
  APP_IMAGE,
  apply,
  deployApp,
  kubectl,
  requireCluster,
  testNamespace,
} from '../testing/cluster-kit.js';
import { runCli } from '../testing/helpers.js';

const NODE_PORT = 30110;
/** The image has no shell and no coreutils: node reads it. */
const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join('');

/** What must never be in a bundle, each with where it was planted. */
interface Planted {
  readonly what: string;
  readonly value: string;
}

/** Every file of the bundle, extracted, as bytes, in the tarball's order. */
async function unpack(
  bundle: string,
  into: string,
): Promise<{ names: string[]; files: Map<string, Buffer> }> {
  const names: string[] = [];
  await extract({ file: bundle, cwd: into, onReadEntry: (entry) => names.push(entry.path) });
  const files = new Map<string, Buffer>();
  for (const name of await readdir(into, { recursive: true })) {
    const path = join(into, name);
    try {
      files.set(name, await readFile(path));
    } catch {
      // a directory
    }
  }
  return { names, files };
}

/** Every planted value found in any file: `file: what (offset N)`. */
function leaks(files: Map<string, Buffer>, planted: readonly Planted[]): string[] {
  const found: string[] = [];
  for (const [name, bytes] of files) {
    for (const { what, value } of planted) {
      const at = bytes.indexOf(value);
      if (at >= 0)
        found.push(`${name}: ${what} at byte ${at}: …${bytes.subarray(Math.max(0, at - 80), at).toString()}`);
    }
  }
  return found;
}

async function podNames(namespace: string): Promise<string[]> {
  const out = await kubectl([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    'app=web',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return out.split(/\s+/).filter(Boolean).sort();
}

/** The projected ServiceAccount token each running pod of the Deployment holds, read from inside it. */
async function projectedTokens(namespace: string): Promise<Planted[]> {
  const tokens: Planted[] = [];
  for (const pod of await podNames(namespace)) {
    const token = (
      await kubectl([
        '-n',
        namespace,
        'exec',
        pod,
        '--',
        'node',
        '-e',
        `process.stdout.write(require('fs').readFileSync('${TOKEN_PATH}'))`,
      ])
    ).trim();
    assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, `a JWT in ${pod}`);
    tokens.push({ what: `the projected ServiceAccount token of pod ${pod}`, value: token });
    // Its signature alone is as secret, and would survive a redaction that kept only part of the token.
    tokens.push({
      what: `the signature of pod ${pod}'s projected token`,
      value: token.split('.')[2] as string,
    });
  }
  return tokens;
}

describe('collect on a real Kubernetes', { timeout: 10 * 60_000 }, () => {
  requireCluster();
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let dir: string;
  let url: string;
  const suffix = randomBytes(6).toString('hex');
  const secretValue = `planted-secret-value-${suffix}`;
  const githubToken = `ghp_${alnum(36)}`;
  const dbPassword = `planted-pw-${suffix}`;
  const planted: Planted[] = [
    { what: 'the Secret value behind SECRET_VALUE (secretKeyRef)', value: secretValue },
    {
      what: 'the Secret value, base64 as the Secret object holds it',
      value: Buffer.from(secretValue).toString('base64'),
    },
    { what: 'the literal API_TOKEN env value (a GitHub token)', value: githubToken },
    { what: 'the password in the literal DATABASE_URL env value', value: dbPassword },
  ];

  before(
    async () => {
      ns = await testNamespace('ld-collect-bundle');
      dir = await mkdtemp(join(tmpdir(), 'ld-collect-'));
      await apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'planted', namespace: ns.name },
          stringData: { password: secretValue },
        }),
      );
      ({ url } = await deployApp({
        namespace: ns.name,
        mode: 'lameduck',
        preStopSeconds: 2,
        nodePort: NODE_PORT,
        extraEnv: [
          { name: 'SECRET_VALUE', valueFrom: { secretKeyRef: { name: 'planted', key: 'password' } } },
          { name: 'API_TOKEN', value: githubToken },
          { name: 'DATABASE_URL', value: `postgres://admin:${dbPassword}@db:5432/x` },
        ],
      }));
      // The scanner finds what kubectl shows: the literal values are in the live Deployment (and
      // its last-applied-configuration annotation), so a bundle without them was redacted.
      const live = Buffer.from(await kubectl(['-n', ns.name, 'get', 'deployment/web', '-o', 'yaml']));
      assert.deepEqual(
        leaks(new Map([['live', live]]), planted).map((found) => found.split(' at byte')[0]),
        [`live: ${planted[2]?.what}`, `live: ${planted[3]?.what}`],
      );
      // The app sees the Secret: the value is really in the pod, and would be there to leak.
      const [pod] = await podNames(ns.name);
      assert.equal(
        (
          await kubectl([
            '-n',
            ns.name,
            'exec',
            pod as string,
            '--',
            'node',
            '-e',
            'process.stdout.write(process.env.SECRET_VALUE)',
          ])
        ).trim(),
        secretValue,
      );
    },
    { timeout: 180_000 },
  );
  after(
    async () => {
      await rm(dir, { recursive: true, force: true });
      await ns?.remove();
    },
    { timeout: 180_000 },
  );

  const text = (files: Map<string, Buffer>, name: string) => {
    const bytes = files.get(name);
    assert.ok(bytes, `${name} is in the bundle`);
    return bytes.toString('utf8');
  };

  describe('a bundle of the workload as it runs', () => {
    let tokens: Planted[];
    let pods: string[];
    let bundle: { names: string[]; files: Map<string, Buffer> };
    before(
      async () => {
        tokens = await projectedTokens(ns.name);
        pods = await podNames(ns.name);
        assert.equal(pods.length, 2);
        const file = join(dir, 'bundle.tar.gz');
        const run = await runCli([
          'collect',
          'deployment/web',
          '-n',
          ns.name,
          '--kubeconfig',
          ADMIN_KUBECONFIG,
          '-o',
          file,
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /wrote .*bundle\.tar\.gz \(start with SUMMARY\.md\)/);
        bundle = await unpack(file, await mkdtemp(join(dir, 'plain-')));
      },
      { timeout: 120_000 },
    );

    it("holds none of the planted secrets, nor the pods' projected tokens, in any file", () => {
      assert.ok(bundle.files.size >= 5);
      assert.deepEqual(leaks(bundle.files, [...planted, ...tokens]), []);
    });

    it('holds the documented files, SUMMARY.md first', () => {
      assert.equal(bundle.names[0], 'SUMMARY.md');
      assert.deepEqual([...bundle.names].sort(), [
        'SUMMARY.md',
        'endpointslices.json',
        'evidence.json',
        'lint.json',
        'objects.yaml',
      ]);
      assert.ok(Array.isArray(JSON.parse(text(bundle.files, 'lint.json'))));
    });

    it('describes this cluster: v1.34.4, its node, the Deployment, its pods, the Service and its EndpointSlices', async () => {
      const summary = text(bundle.files, 'SUMMARY.md');
      assert.match(summary, new RegExp(`# Termination evidence: deployment/web in ${ns.name}\\n`));
      assert.match(summary, /- Kubernetes server: v1\.34\.4 \(https:\/\/127\.0\.0\.1:\d+\)/);
      assert.match(summary, /- Nodes: 1, kubelet v1\.34\.4/);
      assert.match(summary, /- Services selecting the pods: web\n/);
      assert.match(
        summary,
        new RegExp(
          `container web \\(${APP_IMAGE.replace(/[.]/g, '\\.')}\\): preStop [^;\\n]*2[^;\\n]*; probes: readiness`,
        ),
      );
      assert.doesNotMatch(summary, /## Not collected/, 'the admin reads everything');

      const evidence = JSON.parse(text(bundle.files, 'evidence.json'));
      assert.equal(evidence.namespace, ns.name);
      assert.equal(evidence.server.gitVersion, 'v1.34.4');
      assert.deepEqual(evidence.nodes, { count: 1, kubeletVersions: ['v1.34.4'] });
      assert.deepEqual(evidence.pods.map((p: { name: string }) => p.name).sort(), pods);
      assert.deepEqual(evidence.services, ['web']);
      assert.equal(evidence.graceSeconds, 30);

      const [deployment, service, ...more] = parseAllDocuments(text(bundle.files, 'objects.yaml')).map((d) =>
        d.toJS(),
      );
      assert.deepEqual(more, []);
      assert.equal(deployment.kind, 'Deployment');
      assert.equal(
        deployment.metadata.uid,
        (await kubectl(['-n', ns.name, 'get', 'deployment/web', '-o', 'jsonpath={.metadata.uid}'])).trim(),
      );
      assert.equal(
        service.metadata.uid,
        (await kubectl(['-n', ns.name, 'get', 'service/web', '-o', 'jsonpath={.metadata.uid}'])).trim(),
      );
      assert.equal(service.spec.ports[0].nodePort, NODE_PORT);
      const env = deployment.spec.template.spec.containers[0].env;
      assert.deepEqual(
        env.filter((e: { name: string }) => ['SECRET_VALUE', 'API_TOKEN', 'DATABASE_URL'].includes(e.name)),
        [
          { name: 'SECRET_VALUE', valueFrom: 'secretKeyRef' },
          { name: 'API_TOKEN', value: '<redacted>' },
          { name: 'DATABASE_URL', value: '<redacted>' },
        ],
      );
      assert.equal(
        deployment.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
        undefined,
      );

      const slices = JSON.parse(text(bundle.files, 'endpointslices.json'));
      assert.ok(slices.length >= 1);
      for (const slice of slices) assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'web');
      const podIps = (
        await kubectl([
          '-n',
          ns.name,
          'get',
          'pods',
          '-l',
          'app=web',
          '-o',
          'jsonpath={.items[*].status.podIP}',
        ])
      )
        .split(/\s+/)
        .filter(Boolean)
        .sort();
      assert.deepEqual(
        slices
          .flatMap((s: { endpoints: { addresses: string[] }[] }) => s.endpoints.flatMap((e) => e.addresses))
          .sort(),
        podIps,
      );
    });

    it('gives every object its apiVersion and kind (a real list omits them on items; lint needs them)', () => {
      const objects = parseAllDocuments(text(bundle.files, 'objects.yaml')).map((d) => d.toJS());
      assert.deepEqual(
        objects.map((o) => [o.apiVersion, o.kind]),
        [
          ['apps/v1', 'Deployment'],
          ['v1', 'Service'],
        ],
      );
      const slices = JSON.parse(text(bundle.files, 'endpointslices.json'));
      for (const slice of slices)
        assert.deepEqual([slice.apiVersion, slice.kind], ['discovery.k8s.io/v1', 'EndpointSlice']);
    });
  });

  describe('a bundle with --with-restart', () => {
    let tokens: Planted[];
    let bundle: { names: string[]; files: Map<string, Buffer> };
    before(
      async () => {
        const before = await projectedTokens(ns.name);
        const file = join(dir, 'restart.tar.gz');
        const run = await runCli([
          'collect',
          'deployment/web',
          '-n',
          ns.name,
          '--kubeconfig',
          ADMIN_KUBECONFIG,
          '--with-restart',
          '--url',
          url,
          '--rate',
          '50/s',
          '--baseline',
          '2s',
          '--tail',
          '2s',
          '-o',
          file,
        ]);
        assert.equal(run.code, 0, run.stderr);
        // The restart's new pods hold tokens of their own.
        tokens = [...before, ...(await projectedTokens(ns.name))];
        bundle = await unpack(file, await mkdtemp(join(dir, 'restart-')));
      },
      { timeout: 150_000 },
    );

    it('holds none of the planted secrets, nor any projected token of the old or new pods', () => {
      assert.ok(bundle.files.size >= 7);
      assert.deepEqual(leaks(bundle.files, [...planted, ...tokens]), []);
    });

    it('adds verify.json and the EndpointSlice watch of a passing restart', () => {
      assert.equal(bundle.names[0], 'SUMMARY.md');
      assert.deepEqual([...bundle.names].sort(), [
        'SUMMARY.md',
        'endpointslice-watch.json',
        'endpointslices.json',
        'evidence.json',
        'lint.json',
        'objects.yaml',
        'verify.json',
      ]);
      const verify = JSON.parse(text(bundle.files, 'verify.json'));
      assert.equal(verify.verdict, 'pass', JSON.stringify(verify.diagnosis));
      assert.equal(verify.requests.failed, 0);
      assert.ok(verify.records.length > 100);
      assert.equal(verify.measured.pods.length, 2);
      for (const pod of verify.measured.pods) assert.equal(typeof pod.endpointRemovalSeconds, 'number');
      const watch = JSON.parse(text(bundle.files, 'endpointslice-watch.json'));
      assert.ok(watch.length >= 2, 'the slice changed as pods left and joined');
      assert.ok(
        watch.every((change: { object: { kind: string } }) => change.object.kind === 'EndpointSlice'),
      );
      assert.match(
        text(bundle.files, 'SUMMARY.md'),
        /## Rolling restart under load \(lameduck verify\)\n\n- PASS/,
      );
    });
  });
});
