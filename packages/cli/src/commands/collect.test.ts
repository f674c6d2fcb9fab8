import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar';
import { redact, redactString } from '../collect/redact.js';
import { type ApiCluster, runCli, startApiCluster } from '../testing/helpers.js';

describe('lameduck collect', () => {
  let dir: string;
  const clusters: ApiCluster[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lameduck-collect-test-'));
  });
  after(async () => {
    for (const cluster of clusters) await cluster.close();
    await rm(dir, { recursive: true, force: true });
  });

  const unpack = async (bundle: string, into: string) => {
    await extract({ file: bundle, cwd: into });
    return (name: string) => readFile(join(into, name), 'utf8');
  };

  it('writes a bundle with SUMMARY.md first, the raw JSON, lint of the live objects, and no secret', async () => {
    const c = await startApiCluster({ mode: 'lameduck' });
    clusters.push(c);
    c.api.forbid('list', 'nodes');
    const bundle = join(dir, 'evidence.tar.gz');
    const run = await runCli(['collect', 'deployment/web', '--kubeconfig', c.kubeconfig, '-o', bundle]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /wrote .*evidence\.tar\.gz \(start with SUMMARY\.md\)/);
    const files: string[] = [];
    await extract({ file: bundle, cwd: dir, onReadEntry: (entry) => files.push(entry.path) });
    assert.equal(files[0], 'SUMMARY.md');
    assert.deepEqual([...files].sort(), [
      'SUMMARY.md',
      'endpointslices.json',
      'evidence.json',
      'lint.json',
      'objects.yaml',
    ]);
    const read = (name: string) => readFile(join(dir, name), 'utf8');
    const summary = await read('SUMMARY.md');
    assert.match(summary, /# Termination evidence: deployment\/web in shop/);
    assert.match(summary, /Kubernetes server: v1\.31\.0-lab/);
    assert.match(summary, /Clients: lameduck \d+\.\d+\.\d+, kubectl /);
    assert.match(summary, /terminationGracePeriodSeconds: 30/);
    assert.match(
      summary,
      /container web \(registry\.example\/web:1\.0\.0\): preStop none; probes: readiness/,
    );
    // lint ran on the live objects: no preStop on a serving container.
    assert.match(summary, /prestop-missing/);
    // A 403 on nodes is a note, not a failed collection.
    assert.match(summary, /## Not collected\n\n- nodes: forbidden: this user may not list nodes/);
    const lint = JSON.parse(await read('lint.json'));
    assert.ok(
      lint.some(
        (f: { rule: string; file: string }) => f.rule === 'prestop-missing' && f.file === 'objects.yaml',
      ),
    );
    const everything = (await Promise.all(files.map(read))).join('\n');
    assert.doesNotMatch(everything, /hunter2/, 'env values are redacted');
    assert.doesNotMatch(everything, /eyJhbGciOiJIUzI1NiJ9/, 'tokens are redacted');
    assert.doesNotMatch(everything, /last-applied-configuration/);
    assert.match(await read('objects.yaml'), /name: DATABASE_PASSWORD\n\s+value: <redacted>/);
  });

  it('with --with-restart, runs verify and keeps its report and the EndpointSlice watch', async () => {
    const c = await startApiCluster({ mode: 'lameduck', preStopSeconds: 1 });
    clusters.push(c);
    const bundle = join(dir, 'restart.tar.gz');
    const run = await runCli([
      'collect',
      'deployment/web',
      '--kubeconfig',
      c.kubeconfig,
      '--with-restart',
      '--url',
      c.url,
      '--rate',
      '30/s',
      '--baseline',
      '1s',
      '--tail',
      '1s',
      '-o',
      bundle,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const into = await mkdtemp(join(dir, 'restart-'));
    const read = await unpack(bundle, into);
    const verify = JSON.parse(await read('verify.json'));
    assert.equal(verify.verdict, 'pass');
    assert.ok(verify.records.length > 30);
    const watch = JSON.parse(await read('endpointslice-watch.json'));
    assert.ok(watch.length >= 2, 'the slice changed as pods left and joined');
    assert.ok(watch.every((change: { object: { kind: string } }) => change.object.kind === 'EndpointSlice'));
    assert.match(await read('SUMMARY.md'), /## Rolling restart under load \(lameduck verify\)\n\n- PASS/);
  });

  it('asks for --url with --with-restart, and leaves no file behind on failure', async () => {
    const run = await runCli(['collect', 'deployment/web', '--with-restart', '-o', join(dir, 'x.tar.gz')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /give --url too/);
  });
});

describe('redaction', () => {
  it('keeps env names, drops values, and keeps the kind of a valueFrom', () => {
    assert.deepEqual(
      redact({
        env: [
          { name: 'A', value: 'x' },
          { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        ],
      }),
      {
        env: [
          { name: 'A', value: '<redacted>' },
          { name: 'B', valueFrom: 'secretKeyRef' },
        ],
      },
    );
  });

  it('replaces tokens, keys and secret-looking flags wherever they are', () => {
    assert.equal(redactString('--api-key=abc123'), '--api-key=<redacted>');
    assert.equal(redactString('Bearer eyJhbGciOi.eyJzdWIi.sig'), 'Bearer <redacted>');
    assert.equal(redactString('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'), '<redacted>');
    assert.equal(redactString('--port=8080'), '--port=8080');
  });
});
