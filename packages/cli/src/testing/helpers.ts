/** Shared by the CLI's tests: paths, fixtures and an in-process run of the command line. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../cluster/propagation.js';
import { EmulatedCluster } from '../lab/cluster.js';
import { DEFAULT_UPSTREAM_KEEPALIVE_MS } from '../lab/ingress.js';
import { openDataPlanes } from '../lab/planes.js';
import { pidNamespacesAvailable } from '../lab/process.js';
import { Lab } from '../lab/run.js';
import { specFromObjects } from '../lab/spec.js';
import { main } from '../main.js';
import type { JsonObject, Path } from '../model/json.js';
import { DEFAULT_KUBE_VERSION } from '../model/kube-version.js';
import type { ProgressSnapshot } from '../recording/records.js';
import { EventLog, monotonicClock } from '../recording/records.js';
import { buildReport, type Report } from '../report/build.js';
import { causeOf } from '../report/diagnose.js';
import { parseThresholds } from '../report/thresholds.js';
import { LabApiServer } from './api-server.js';

/** packages/cli */
export const cliRoot = fileURLToPath(new URL('../../', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** The committed launcher that npm links as `lameduck` and `kubectl-lameduck`. */
export const binPath = fileURLToPath(new URL('../../bin/lameduck.js', import.meta.url));

export function fixture(name: string): string {
  return `${cliRoot}test/fixtures/${name}`;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1' },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

/** The real binary in a child process, for stdin, argv[1] and exit-code behaviour. */
export function runBin(
  args: readonly string[],
  options: { stdin?: string; cwd?: string; argv0?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.argv0 ?? binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The example app every lab test runs (examples/lab/app.mjs). */
export const labApp = `${repoRoot}examples/lab/app.mjs`;

/** A short, light rehearsal: 2 replicas, fast propagation, 50 req/s. */
export const quickLab = [
  '--replicas',
  '2',
  '--propagation',
  '200ms..500ms',
  '--duration',
  '1s',
  '--rate',
  '50/s',
  '--seed',
  '7',
  '--no-progress',
];

/**
 * `lameduck lab <flags> --format json -- node examples/lab/app.mjs <mode>` in-process; the parsed
 * report (loosely typed: the tests read it as a user's script would).
 */
export async function labJson(
  flags: readonly string[],
  mode: string,
  // biome-ignore lint/suspicious/noExplicitAny: the JSON report as a consumer sees it
): Promise<{ code: number; stderr: string; report: any }> {
  const run = await runCli([
    'lab',
    ...quickLab,
    ...flags,
    '--format',
    'json',
    '--',
    process.execPath,
    labApp,
    mode,
  ]);
  return { code: run.code, stderr: run.stderr, report: run.stdout ? JSON.parse(run.stdout) : undefined };
}

export interface RehearsalSettings {
  /** app.mjs mode: exit, guide, drain, lameduck, none. */
  readonly mode: string;
  /** Replaces `node examples/lab/app.mjs <mode>`. */
  readonly command?: readonly string[];
  readonly preStopSeconds?: number;
  readonly graceSeconds?: number;
  readonly planes: readonly ('kube-proxy' | 'ingress')[];
  readonly keepAlive: boolean;
  /** Every request takes this long in the app. */
  readonly delayMs?: number;
  readonly rate?: number;
  /** Given the live progress as it stood when the load stopped. */
  readonly lastProgress?: (snapshot: ProgressSnapshot | undefined) => void;
}

/**
 * The fidelity rehearsal of the lab issue: 3 replicas, propagation 2-4 s, one rolling restart under
 * open-model load, against examples/lab/app.mjs. Returns the report; every process is gone after.
 */
export async function rehearse(settings: RehearsalSettings): Promise<Report> {
  const container: Record<string, unknown> = {
    name: 'app',
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
    env: [{ name: 'DELAY_MS', value: String(settings.delayMs ?? 0) }],
  };
  if (settings.preStopSeconds !== undefined)
    container.lifecycle = { preStop: { sleep: { seconds: settings.preStopSeconds } } };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app' },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'app' } },
        spec: { terminationGracePeriodSeconds: settings.graceSeconds ?? 30, containers: [container] },
      },
    },
  };
  const result = specFromObjects([deployment], { kubeVersion: DEFAULT_KUBE_VERSION });
  if (!result.ok) throw new Error(result.problem);
  const lab = new Lab({
    spec: result.spec,
    command: settings.command ?? [process.execPath, `${repoRoot}examples/lab/app.mjs`, settings.mode],
    cwd: repoRoot,
    env: process.env,
    scenario: 'rollout',
    restarts: 1,
    durationMs: 1000,
    model: { kind: 'open', rate: settings.rate ?? 100 },
    keepAlive: settings.keepAlive,
    method: 'GET',
    path: '/',
    timeoutMs: 15_000,
    planes: settings.planes,
    propagation: { min: 2, max: 4 },
    nodes: 3,
    upstreamKeepAliveMs: DEFAULT_UPSTREAM_KEEPALIVE_MS,
    seed: 42,
    readyTimeoutMs: 20_000,
  });
  try {
    const run = await lab.run();
    settings.lastProgress?.(lab.progress());
    const failOn = parseThresholds('errors>0,sigkill>0');
    if (typeof failOn === 'string') throw new Error(failOn);
    return buildReport(
      run.recording,
      {
        source: 'lab',
        workload: 'app',
        scenario: 'rollout',
        replicas: 3,
        graceSeconds: result.spec.graceSeconds,
        preStop: String(settings.preStopSeconds ?? 'none'),
        preStopSeconds: settings.preStopSeconds ?? 0,
        planes: settings.planes,
        load: 'test',
        keepAlive: settings.keepAlive,
      },
      failOn,
    );
  } finally {
    lab.abort();
  }
}

/** Causes of the failed requests, with counts: what the fidelity tests assert exactly. */
export function failureCauses(report: Report): Record<string, number> {
  const replicas = new Map(report.replicas.map((r) => [r.name, r]));
  const causes: Record<string, number> = {};
  for (const record of report.records) {
    if (record.errorClass === undefined) continue;
    const cause = causeOf(record, replicas);
    causes[cause] = (causes[cause] ?? 0) + 1;
  }
  return causes;
}

/** A test cluster: the lab's emulated cluster, an ingress in front, and its Kubernetes API. */
export interface ApiCluster {
  readonly api: LabApiServer;
  readonly log: EventLog;
  readonly cluster: EmulatedCluster;
  /** The ingress: where verify's load goes. */
  readonly url: string;
  /** A kubeconfig whose current context points at the API, namespace "shop". */
  readonly kubeconfig: string;
  /** The API's address, and a scratch directory removed on close. */
  readonly server: string;
  readonly dir: string;
  close(): Promise<void>;
}

export interface ApiClusterSettings {
  /** app.mjs mode. */
  readonly mode: string;
  readonly preStopSeconds?: number;
  readonly replicas?: number;
  readonly paused?: boolean;
  /** The bearer token the API demands (the kubeconfig's user has `lab-token`). */
  readonly token?: string;
  /** Endpoint propagation to the ingress, seconds (default 0.3-0.6). */
  readonly propagation?: { readonly min: number; readonly max: number };
}

/** A Deployment "web" with a Service "web", 1 s readiness, as verify and collect would meet it. */
export function webManifest(settings: ApiClusterSettings): { workload: JsonObject; service: JsonObject } {
  const container: JsonObject = {
    name: 'web',
    image: 'registry.example/web:1.0.0',
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
    env: [{ name: 'DATABASE_PASSWORD', value: 'hunter2' }],
  };
  if (settings.preStopSeconds !== undefined)
    container.lifecycle = { preStop: { sleep: { seconds: settings.preStopSeconds } } };
  return {
    workload: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"token":"eyJhbGciOiJIUzI1NiJ9.e30.x"}',
        },
      },
      spec: {
        replicas: settings.replicas ?? 2,
        ...(settings.paused ? { paused: true } : {}),
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { terminationGracePeriodSeconds: 30, containers: [container] },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    },
  };
}

export async function startApiCluster(settings: ApiClusterSettings): Promise<ApiCluster> {
  const { workload, service } = webManifest(settings);
  const result = specFromObjects([workload, service], { kubeVersion: DEFAULT_KUBE_VERSION });
  if (!result.ok) throw new Error(result.problem);
  const log = new EventLog(monotonicClock());
  const cluster = new EmulatedCluster(
    {
      spec: result.spec,
      command: [process.execPath, labApp, settings.mode],
      cwd: repoRoot,
      baseEnv: process.env,
      log,
      isolation: pidNamespacesAvailable() ? 'pid-namespace' : 'emulated',
    },
    log,
  );
  const closers: (() => Promise<void>)[] = [async () => cluster.kill()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    cluster.start();
    const deadline = Date.now() + 20_000;
    while (
      !(cluster.livePods().length === result.spec.replicas && cluster.livePods().every((p) => p.ready))
    ) {
      if (Date.now() > deadline) throw new Error('the test cluster did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const planes = await openDataPlanes(cluster, log, {
      planes: ['ingress'],
      propagation: settings.propagation ?? { min: 0.3, max: 0.6 },
      nodes: 1,
      path: '/',
      upstreamKeepAliveMs: DEFAULT_UPSTREAM_KEEPALIVE_MS,
      random: seededRandom(3),
    });
    closers.push(() => planes.close());
    const api = new LabApiServer({
      cluster,
      log,
      namespace: 'shop',
      workload,
      services: [service],
      ...(settings.token === undefined ? {} : { token: settings.token }),
    });
    const server = await api.listen();
    closers.push(() => api.close());
    const dir = await mkdtemp(join(tmpdir(), 'lameduck-kube-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const kubeconfig = join(dir, 'config');
    await writeFile(kubeconfig, labKubeconfig(server));
    return {
      api,
      log,
      cluster,
      url: (planes.targets[0] as { url: URL }).url.href,
      kubeconfig,
      server,
      dir,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export function labKubeconfig(server: string, extraContexts: readonly string[] = []): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: lab',
    '    cluster:',
    `      server: ${server}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: lab-user',
    '    user:',
    '      token: lab-token',
    'contexts:',
    '  - name: lab',
    '    context: {cluster: lab, user: lab-user, namespace: shop}',
    ...extraContexts.flatMap((name) => [`  - name: ${name}`, '    context: {cluster: lab, user: lab-user}']),
    'current-context: lab',
    '',
  ].join('\n');
}

/**
 * Polls until `check` holds, or fails the test after `ms`. The check may be async (a kubectl call);
 * one that throws counts as not yet.
 */
/**
 * A maker of scratch directories under the system's temporary folder, each removed when the test
 * file ends (node:test's `after`).
 */
export function scratchDirectories(prefix: string): () => Promise<string> {
  const made: string[] = [];
  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** The PIDs of processes whose command line contains `marker` (pgrep -f). */
export function processesWith(marker: string): string[] {
  const result = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean);
}

export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The environment of a top-level run of node or npm: node:test marks its own children with NODE_TEST_CONTEXT. */
export function topLevelEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return { ...env, ...extra };
}

/** Every path into a value, parents first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/**
 * A renderer built by scripts/tools/build.sh (from the Go module proxy, cached outside the repo),
 * for the tests that need the real helm or kustomize. The first call on a new machine builds it.
 */
export function builtTool(name: 'helm' | 'kustomize'): string {
  const result = spawnSync('bash', [join(repoRoot, 'scripts/tools/build.sh'), name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (result.status !== 0) throw new Error(`scripts/tools/build.sh ${name} failed (status ${result.status})`);
  return join(result.stdout.trim(), name);
}

/** A chart named demo in `directory`/chart: Chart.yaml (with `chart` appended) and the given files. */
export async function writeHelmChart(
  directory: string,
  files: Record<string, string>,
  chart = '',
): Promise<string> {
  const root = join(directory, 'chart');
  await mkdir(join(root, 'templates'), { recursive: true });
  await writeFile(join(root, 'Chart.yaml'), `apiVersion: v2\nname: demo\nversion: 0.1.0\n${chart}`);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

/** `objectsOfKind` over the given objects: the input's index, for the model's pure functions. */
export const inInput =
  (...objects: readonly JsonObject[]) =>
  (kind: string): JsonObject[] =>
    objects.filter((object) => object.kind === kind);
