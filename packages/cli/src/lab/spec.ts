/**
 * What the lab rehearses: one workload's termination settings, from a manifest or from flags with
 * Kubernetes' defaults. Pure: turns objects into a LabSpec or a problem to report.
 */

import type { ProbeKind } from '../cluster/probe-state.js';
import type { Strategy } from '../cluster/rollout.js';
import { analyzeWorkload, DEFAULT_ANALYSIS_OPTIONS } from '../model/analyze.js';
import { effectiveGraceSeconds } from '../model/grace.js';
import { getIn, getNumber, getObject, getString, isObject, type JsonObject } from '../model/json.js';
import type { KubeVersion } from '../model/kube-version.js';
import type { PreStopHook } from '../model/prestop.js';
import { resolveRollingUpdate } from '../model/rolling-update.js';
import { serviceSelects } from '../model/services.js';
import { containerPorts, findPodTemplate, isWorkloadKind } from '../model/workloads.js';

export type PortRef = number | string;

export type ProbeHandler =
  | { readonly kind: 'httpGet'; readonly path: string; readonly port: PortRef; readonly https: boolean }
  | { readonly kind: 'tcpSocket'; readonly port: PortRef }
  | { readonly kind: 'exec'; readonly command: readonly string[] };

export interface ProbeSpec {
  readonly kind: ProbeKind;
  readonly handler: ProbeHandler;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

export interface LabSpec {
  readonly name: string;
  readonly replicas: number;
  /** The grace period the kubelet counts from the start of preStop. */
  readonly graceSeconds: number;
  readonly preStop: PreStopHook;
  readonly probes: Readonly<Partial<Record<ProbeKind, ProbeSpec>>>;
  readonly strategy: Strategy;
  readonly minReadySeconds: number;
  /** Container ports; the first one carries the traffic. */
  readonly ports: readonly { readonly name?: string; readonly port: number }[];
  readonly env: Readonly<Record<string, string>>;
  /** With a shared PID namespace the app is not PID 1, so default signal actions apply. */
  readonly shareProcessNamespace: boolean;
  readonly publishNotReadyAddresses: boolean;
  /** Why the runtime fails the preStop hook (its program is not in the image), when the model knows. */
  readonly preStopFailure?: string;
  /** The container's own command and args from the manifest; the lab runs the command after -- instead. */
  readonly manifestCommand: readonly string[] | undefined;
  readonly notes: readonly string[];
}

export type SpecResult =
  | { readonly ok: true; readonly spec: LabSpec }
  | { readonly ok: false; readonly problem: string };

/** Kubernetes' probe defaults (core/v1 SetDefaults_Probe). */
const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
};

export interface FlagSpecInput {
  readonly replicas: number;
  readonly graceSeconds: number | undefined;
  readonly preStopSeconds: number | undefined;
  readonly readinessPath: string | undefined;
  readonly port: number;
}

/**
 * Without a manifest: a Deployment with Kubernetes' defaults (grace 30 s, no preStop, 25 %/25 %), and
 * a readiness probe only when asked for. Its period is 1 s rather than 10 s so that a rehearsal does
 * not spend most of its time waiting for new replicas.
 */
export function specFromFlags(input: FlagSpecInput): LabSpec {
  const probes: Partial<Record<ProbeKind, ProbeSpec>> = {};
  if (input.readinessPath !== undefined) {
    probes.readiness = {
      kind: 'readiness',
      handler: { kind: 'httpGet', path: input.readinessPath, port: input.port, https: false },
      ...PROBE_DEFAULTS,
      periodSeconds: 1,
    };
  }
  const { surge, unavailable } = resolveRollingUpdate(undefined, undefined, input.replicas);
  return {
    name: 'app',
    replicas: input.replicas,
    graceSeconds: effectiveGraceSeconds(input.graceSeconds),
    preStop:
      input.preStopSeconds === undefined
        ? { kind: 'none' }
        : { kind: 'sleep', seconds: input.preStopSeconds },
    probes,
    strategy: { type: 'RollingUpdate', maxSurge: surge, maxUnavailable: unavailable },
    minReadySeconds: 0,
    ports: [{ port: input.port }],
    env: {},
    shareProcessNamespace: false,
    publishNotReadyAddresses: false,
    manifestCommand: undefined,
    notes: [],
  };
}

export interface ManifestSpecOptions {
  readonly kubeVersion: KubeVersion;
  readonly container?: string | undefined;
  /** Overrides the manifest's replicas. */
  readonly replicas?: number | undefined;
}

/** The first workload among the objects, its first main container (or the named one), and its Service. */
export function specFromObjects(objects: readonly JsonObject[], options: ManifestSpecOptions): SpecResult {
  const workload = objects.find((o) => isWorkloadKind(o.kind) && o.kind !== 'Job' && o.kind !== 'CronJob');
  if (!workload || !isWorkloadKind(workload.kind)) {
    return {
      ok: false,
      problem: 'no Deployment, StatefulSet, ReplicaSet, DaemonSet, Pod or Rollout to rehearse',
    };
  }
  const kind = workload.kind;
  const name = getString(workload, ['metadata', 'name']) ?? kind.toLowerCase();
  const lookup = findPodTemplate(workload, kind);
  if (!lookup.found) return { ok: false, problem: `${kind} ${name}: ${lookup.problem}` };
  const { spec: podSpec, metadata } = lookup.template;
  // The model reads the grace period and the preStop hook, and what the runtime will make of it.
  const analysis = analyzeWorkload(kind, lookup.template, {
    ...DEFAULT_ANALYSIS_OPTIONS,
    kubeVersion: options.kubeVersion,
  });
  const mains = analysis.containers.filter((c) => c.container.role === 'main');
  const chosen =
    options.container === undefined ? mains[0] : mains.find((c) => c.container.name === options.container);
  if (!chosen) {
    return {
      ok: false,
      problem: `${kind} ${name} has no container named ${options.container}; it has ${mains.map((c) => c.container.name).join(', ')}`,
    };
  }
  const container = chosen.container;
  const notes: string[] = [];
  if (mains.length > 1)
    notes.push(`rehearsing container ${container.name} only; the lab runs one process per replica`);
  const { preStop, preStopEffect: effect } = chosen.budget;
  if (effect.outcome === 'rejected') return { ok: false, problem: `${kind} ${name}: ${effect.note}` };
  if (effect.note) notes.push(effect.note);

  const probes: Partial<Record<ProbeKind, ProbeSpec>> = {};
  for (const probeKind of ['readiness', 'liveness', 'startup'] as const) {
    const raw = getObject(container.spec, [`${probeKind}Probe`]);
    if (!raw) continue;
    const probe = probeFrom(probeKind, raw);
    if (typeof probe === 'string')
      return { ok: false, problem: `${kind} ${name}: ${probeKind}Probe ${probe}` };
    probes[probeKind] = probe;
  }

  const replicas = options.replicas ?? getNumber(workload, ['spec', 'replicas']) ?? 1;
  const selector = getObject(metadata, ['labels']) ?? {};
  const service = objects.find((o) => o.kind === 'Service' && serviceSelects(o, selector));
  return {
    ok: true,
    spec: {
      name,
      replicas,
      graceSeconds: analysis.graceSeconds,
      preStop: effect.outcome === 'ignored' ? { kind: 'none' } : preStop,
      probes,
      strategy: strategyOf(workload, kind, replicas),
      minReadySeconds: getNumber(workload, ['spec', 'minReadySeconds']) ?? 0,
      ports: containerPorts(container.spec).length > 0 ? containerPorts(container.spec) : [{ port: 8080 }],
      env: plainEnv(container.spec, notes),
      shareProcessNamespace: podSpec.shareProcessNamespace === true,
      publishNotReadyAddresses:
        service !== undefined && getIn(service, ['spec', 'publishNotReadyAddresses']) === true,
      manifestCommand: manifestCommandOf(container.spec),
      ...(effect.outcome === 'fails' && (preStop.kind === 'exec' || preStop.kind === 'exec-sleep')
        ? { preStopFailure: effect.note ?? 'the hook fails' }
        : {}),
      notes,
    },
  };
}

function manifestCommandOf(container: JsonObject): string[] | undefined {
  const argv = [container.command, container.args].flatMap((v) => (Array.isArray(v) ? v.map(String) : []));
  return argv.length > 0 ? argv : undefined;
}

function strategyOf(workload: JsonObject, kind: string, replicas: number): Strategy {
  const path = kind === 'Rollout' ? ['spec', 'strategy', 'canary'] : ['spec', 'strategy', 'rollingUpdate'];
  if (kind === 'Deployment' && getString(workload, ['spec', 'strategy', 'type']) === 'Recreate')
    return { type: 'Recreate' };
  const fields = getObject(workload, path) ?? {};
  const { surge, unavailable } = resolveRollingUpdate(fields.maxSurge, fields.maxUnavailable, replicas);
  return { type: 'RollingUpdate', maxSurge: surge, maxUnavailable: unavailable };
}

function probeFrom(kind: ProbeKind, raw: JsonObject): ProbeSpec | string {
  const number = (field: keyof typeof PROBE_DEFAULTS) => {
    const value = raw[field];
    return typeof value === 'number' ? value : PROBE_DEFAULTS[field];
  };
  let handler: ProbeHandler;
  const httpGet = getObject(raw, ['httpGet']);
  const tcpSocket = getObject(raw, ['tcpSocket']);
  const exec = getObject(raw, ['exec']);
  if (httpGet) {
    const port = httpGet.port;
    if (typeof port !== 'number' && typeof port !== 'string') return 'has no httpGet.port';
    handler = {
      kind: 'httpGet',
      path: typeof httpGet.path === 'string' ? httpGet.path : '/',
      port,
      https: httpGet.scheme === 'HTTPS',
    };
  } else if (tcpSocket) {
    const port = tcpSocket.port;
    if (typeof port !== 'number' && typeof port !== 'string') return 'has no tcpSocket.port';
    handler = { kind: 'tcpSocket', port };
  } else if (exec && Array.isArray(exec.command) && exec.command.length > 0) {
    handler = { kind: 'exec', command: exec.command.map(String) };
  } else if (isObject(raw.grpc)) {
    return 'uses grpc, which the lab does not emulate; use httpGet, tcpSocket or exec';
  } else {
    return 'names no handler (httpGet, tcpSocket or exec)';
  }
  return {
    kind,
    handler,
    initialDelaySeconds: number('initialDelaySeconds'),
    periodSeconds: number('periodSeconds'),
    timeoutSeconds: number('timeoutSeconds'),
    successThreshold: number('successThreshold'),
    failureThreshold: number('failureThreshold'),
  };
}

/** Literal env values; values from Secrets and ConfigMaps are not read, and the note says so. */
function plainEnv(container: JsonObject, notes: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  const entries = Array.isArray(container.env) ? container.env : [];
  const skipped: string[] = [];
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.name !== 'string') continue;
    if (typeof entry.value === 'string') env[entry.name] = entry.value;
    else if (getString(entry, ['valueFrom', 'fieldRef', 'fieldPath']) === 'metadata.name')
      env[entry.name] = '$(POD_NAME)';
    else if (entry.value === undefined) skipped.push(entry.name);
  }
  if (skipped.length > 0)
    notes.push(
      `env ${skipped.join(', ')} come from references the lab does not resolve; set them in your shell`,
    );
  return env;
}
