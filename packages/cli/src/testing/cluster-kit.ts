/**
 * What the tests against the real cluster share: where the cluster of scripts/cluster lives, kubectl
 * with its admin kubeconfig, a namespace per test, the lab app's Deployment and Service, and the
 * apiserver's audit log. Traffic goes to 127.0.0.1 (NodePort) only.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, until } from './helpers.js';

const run = promisify(execFile);

export const CLUSTER_DIR = process.env.LAMEDUCK_CLUSTER_DIR ?? '/var/lib/lameduck-cluster';
export const ADMIN_KUBECONFIG = join(CLUSTER_DIR, 'admin.kubeconfig');
export const AUDIT_LOG = join(CLUSTER_DIR, 'logs/audit.log');
export const APP_IMAGE = 'lameduck.local/node-app:1';
export const NOSHELL_IMAGE = 'gcr.io/distroless/nodejs20-debian12:lameduck';
/** ENTRYPOINT ["/bin/sh", "-c", "node /app/app.mjs drain"]: the guide's shell entrypoint. */
export const SH_ENTRYPOINT_IMAGE = 'lameduck.local/node-app-sh-entrypoint:1';

/** kubectl as env.sh puts it on PATH: the one built for this cluster. */
export const KUBECTL = (() => {
  const env = existsSync(join(CLUSTER_DIR, 'env.sh'))
    ? readFileSync(join(CLUSTER_DIR, 'env.sh'), 'utf8')
    : '';
  const bin = /export PATH=([^:\n]+):/.exec(env)?.[1];
  return bin ? join(bin, 'kubectl') : 'kubectl';
})();

/** Refuses to run without the cluster: these tests are never skipped, `npm run cluster:up` comes first. */
export function requireCluster(): void {
  if (!existsSync(ADMIN_KUBECONFIG)) {
    throw new Error(
      `no cluster at ${CLUSTER_DIR}: run npm run cluster:up first (npm run cluster:down after)`,
    );
  }
}

export async function kubectl(
  args: readonly string[],
  options: { stdin?: string; kubeconfig?: string } = {},
): Promise<string> {
  const child = execFile(KUBECTL, ['--kubeconfig', options.kubeconfig ?? ADMIN_KUBECONFIG, ...args], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`kubectl ${args.join(' ')}: ${stderr || stdout}`)),
    );
  });
}

export const apply = (yaml: string) => kubectl(['apply', '-f', '-'], { stdin: yaml });

/** A fresh namespace; remove() deletes it and waits, so no pod outlives its test. */
export async function testNamespace(name: string): Promise<{ name: string; remove(): Promise<void> }> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=true']);
  await kubectl(['create', 'namespace', name]);
  // The ServiceAccount controller makes `default` a moment later; pods need it.
  await until(
    async () => (await kubectl(['-n', name, 'get', 'serviceaccounts', '-o', 'name'])).includes('default'),
    30_000,
  );
  return {
    name,
    remove: async () => {
      await kubectl(['delete', 'namespace', name, '--wait=true', '--timeout=120s']);
    },
  };
}

export interface AppSettings {
  readonly namespace: string;
  readonly name?: string;
  /** examples/lab/app.mjs mode: exit, drain, guide, lameduck, none. */
  readonly mode: string;
  readonly replicas?: number;
  readonly preStopSeconds?: number;
  /** An exec preStop instead of the native sleep: ["sleep", "N"]. */
  readonly execPreStop?: readonly string[];
  readonly graceSeconds?: number;
  /** The container's command, instead of node /app/app.mjs <mode>; null runs the image's entrypoint. */
  readonly command?: readonly string[] | null;
  readonly image?: string;
  readonly nodePort: number;
  readonly readiness?: boolean;
  readonly extraEnv?: readonly Record<string, unknown>[];
  /** A bare Pod instead of a Deployment (no replacement when it is deleted). */
  readonly bare?: boolean;
}

/** The lab app as a Deployment (or a bare Pod) with a NodePort Service, the same pod template the lab reads. */
export function appManifest(settings: AppSettings): string {
  const name = settings.name ?? 'web';
  const container = {
    name,
    image: settings.image ?? APP_IMAGE,
    imagePullPolicy: 'Never',
    ...(settings.command === null
      ? {}
      : { command: settings.command ?? ['node', '/app/app.mjs', settings.mode] }),
    env: [
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'PORT', value: '8080' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ...(settings.extraEnv ?? []),
    ],
    ports: [{ name: 'http', containerPort: 8080 }],
    ...(settings.readiness === false
      ? {}
      : {
          readinessProbe: {
            httpGet: { path: '/healthz', port: 'http' },
            periodSeconds: 1,
            failureThreshold: 1,
          },
        }),
    ...(settings.execPreStop
      ? { lifecycle: { preStop: { exec: { command: settings.execPreStop } } } }
      : settings.preStopSeconds === undefined
        ? {}
        : { lifecycle: { preStop: { sleep: { seconds: settings.preStopSeconds } } } }),
  };
  const podSpec = {
    terminationGracePeriodSeconds: settings.graceSeconds ?? 30,
    enableServiceLinks: false,
    containers: [container],
  };
  const labels = { app: name };
  const workload = settings.bare
    ? {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: settings.namespace, labels },
        spec: podSpec,
      }
    : {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: settings.namespace },
        spec: {
          replicas: settings.replicas ?? 2,
          selector: { matchLabels: labels },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: { metadata: { labels }, spec: podSpec },
        },
      };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: settings.namespace },
    spec: {
      type: 'NodePort',
      selector: labels,
      ports: [{ port: 80, targetPort: 'http', nodePort: settings.nodePort }],
    },
  };
  return [workload, service].map((o) => JSON.stringify(o)).join('\n---\n');
}

/** Applies the app and waits until every replica is ready and the NodePort answers on 127.0.0.1. */
export async function deployApp(settings: AppSettings): Promise<{ url: string; manifest: string }> {
  const manifest = appManifest(settings);
  await apply(manifest);
  const name = settings.name ?? 'web';
  if (settings.bare) {
    await kubectl([
      '-n',
      settings.namespace,
      'wait',
      `pod/${name}`,
      '--for=condition=Ready',
      '--timeout=90s',
    ]);
  } else {
    await kubectl(['-n', settings.namespace, 'rollout', 'status', `deployment/${name}`, '--timeout=120s']);
  }
  const url = `http://127.0.0.1:${settings.nodePort}/`;
  await until(async () => (await fetch(url)).ok, 30_000, `${url} to answer`);
  return { url, manifest };
}

/** One audit event, as much of it as the tests read. */
export interface AuditEvent {
  readonly stage?: string;
  readonly requestURI: string;
  readonly verb: string;
  readonly user: { readonly username: string };
  readonly objectRef?: {
    readonly resource?: string;
    readonly apiGroup?: string;
    readonly namespace?: string;
    readonly name?: string;
  };
  readonly requestObject?: unknown;
  readonly responseStatus?: { readonly code: number };
}

/**
 * The audit log's events since byte `from` (auditLogSize() before the run): JSON lines, read as
 * bytes so the offset holds whatever the log contains; a line still being written is skipped.
 */
export function auditEvents(from = 0): AuditEvent[] {
  return readFileSync(AUDIT_LOG)
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as AuditEvent] : [];
      } catch {
        return [];
      }
    });
}

export function auditLogSize(): number {
  return existsSync(AUDIT_LOG) ? readFileSync(AUDIT_LOG).length : 0;
}

/** A client certificate and kubeconfig for `user`, signed by the cluster's CA (scripts/cluster/user-kubeconfig.sh). */
export async function userKubeconfig(user: string, ...groups: string[]): Promise<string> {
  const { stdout } = await run('bash', [
    join(repoRoot, 'scripts/cluster/user-kubeconfig.sh'),
    user,
    ...groups,
  ]);
  return stdout.trim().split('\n').at(-1) as string;
}
