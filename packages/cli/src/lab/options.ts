/**
 * `lameduck lab` flags to a rehearsal: validates every value and names the flag that is wrong.
 */
import type { DataPlaneKind } from '../cluster/endpoints.js';
import { DEFAULT_PROPAGATION, PROPAGATION_BY_PROFILE, parsePropagation } from '../cluster/propagation.js';
import type { LoadModel } from '../load/generator.js';
import { parseDurationSeconds } from '../model/duration.js';
import {
  CLUSTER_PROFILES,
  type ClusterProfile,
  profileForNodes,
  type SecondsRange,
} from '../model/recommendations.js';
import { UsageError } from '../output/errors.js';
import { parseThresholds, type Threshold } from '../report/thresholds.js';
import type { Scenario } from './run.js';

export interface LabFlags {
  readonly replicas?: string;
  readonly restarts: string;
  readonly scenario: string;
  readonly duration: string;
  readonly rate?: string;
  readonly concurrency?: string;
  readonly keepalive: string;
  readonly method: string;
  readonly path: string;
  readonly data?: string;
  readonly dataPlane: string;
  readonly propagation?: string;
  readonly nodes?: string;
  readonly profile?: string;
  readonly seed?: string;
  readonly readyTimeout: string;
  readonly timeout: string;
  readonly failOn: string;
  readonly prestop?: string;
  readonly grace?: string;
  readonly readinessPath?: string;
  readonly port: string;
}

export interface ResolvedLabFlags {
  readonly replicas: number | undefined;
  readonly restarts: number;
  readonly scenario: Scenario;
  readonly durationMs: number;
  readonly model: LoadModel;
  readonly keepAlive: boolean;
  readonly method: string;
  readonly path: string;
  readonly body: string | undefined;
  readonly planes: DataPlaneKind[];
  readonly propagation: SecondsRange;
  readonly propagationText: string;
  readonly nodes: number;
  readonly seed: number;
  readonly readyTimeoutMs: number;
  readonly timeoutMs: number;
  readonly failOn: Threshold[];
  readonly preStopSeconds: number | undefined;
  readonly graceSeconds: number | undefined;
  readonly readinessPath: string | undefined;
  readonly port: number;
}

/** kube-proxy instances the lab runs: enough to show nodes disagreeing, few enough to stay light. */
const EMULATED_NODES = 3;

export function resolveLabFlags(flags: LabFlags): ResolvedLabFlags {
  const integer = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(`--${name} must be a whole number of at least ${min}, not "${text}"`);
    return value;
  };
  const duration = (name: string, text: string): number => {
    const seconds = parseDurationSeconds(text);
    if (seconds === undefined || seconds <= 0)
      throw new UsageError(`--${name} must be a duration such as 30s or 1m, not "${text}"`);
    return seconds * 1000;
  };
  const scenario = oneOf('scenario', flags.scenario, ['rollout', 'evict', 'scale-in'] as const);
  if (flags.rate !== undefined && flags.concurrency !== undefined) {
    throw new UsageError('--rate and --concurrency choose the open or the closed load model; give one');
  }
  let model: LoadModel;
  if (flags.concurrency !== undefined) {
    model = { kind: 'closed', concurrency: integer('concurrency', flags.concurrency, 1) as number };
  } else {
    const text = flags.rate ?? '200/s';
    const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text);
    if (!match || Number(match[1]) <= 0)
      throw new UsageError(`--rate must be requests per second such as 200/s, not "${text}"`);
    model = { kind: 'open', rate: Number(match[1]) };
  }
  const keepalive = oneOf('keepalive', flags.keepalive, ['on', 'off'] as const);
  const plane = oneOf('data-plane', flags.dataPlane, ['kube-proxy', 'ingress', 'both'] as const);
  const { range, text: propagationText } = resolvePropagation(flags);
  const failOn = parseThresholds(flags.failOn);
  if (typeof failOn === 'string') throw new UsageError(failOn);
  const method = flags.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method))
    throw new UsageError(`--method must be an HTTP method such as GET or POST, not "${flags.method}"`);
  if (!flags.path.startsWith('/')) throw new UsageError(`--path must start with /, not "${flags.path}"`);
  return {
    replicas: integer('replicas', flags.replicas, 1),
    restarts: integer('restarts', flags.restarts, 1) as number,
    scenario,
    durationMs: duration('duration', flags.duration),
    model,
    keepAlive: keepalive === 'on',
    method,
    path: flags.path,
    body:
      flags.data ??
      (method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{"lameduck":"lab"}' : undefined),
    planes: plane === 'both' ? ['kube-proxy', 'ingress'] : [plane],
    propagation: range,
    propagationText,
    nodes: EMULATED_NODES,
    seed: integer('seed', flags.seed, 0) ?? Math.floor(Math.random() * 2 ** 31),
    readyTimeoutMs: duration('ready-timeout', flags.readyTimeout),
    timeoutMs: duration('timeout', flags.timeout),
    failOn,
    preStopSeconds: flags.prestop === undefined ? undefined : duration('prestop', flags.prestop) / 1000,
    graceSeconds: integer('grace', flags.grace, 0),
    readinessPath: flags.readinessPath,
    port: integer('port', flags.port, 1) as number,
  };
}

function resolvePropagation(flags: LabFlags): { range: SecondsRange; text: string } {
  const given = [flags.propagation, flags.nodes, flags.profile].filter((f) => f !== undefined);
  if (given.length > 1) throw new UsageError('give one of --propagation, --nodes and --profile');
  let range = DEFAULT_PROPAGATION;
  let text = `${range.min}-${range.max} s (default)`;
  if (flags.propagation !== undefined) {
    const parsed = parsePropagation(flags.propagation);
    if (!parsed)
      throw new UsageError(`--propagation must be a range such as 1s..4s, not "${flags.propagation}"`);
    range = parsed;
    text = `${range.min}-${range.max} s`;
  } else if (flags.nodes !== undefined || flags.profile !== undefined) {
    let profile: ClusterProfile;
    if (flags.nodes !== undefined) {
      const nodes = Number(flags.nodes);
      if (!Number.isInteger(nodes) || nodes < 1)
        throw new UsageError(`--nodes must be a whole number, not "${flags.nodes}"`);
      profile = profileForNodes(nodes);
    } else {
      profile = oneOf('profile', flags.profile as string, CLUSTER_PROFILES);
    }
    range = PROPAGATION_BY_PROFILE[profile];
    text = `${range.min}-${range.max} s (${profile} cluster)`;
  }
  return { range, text };
}

function oneOf<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not "${value}"`);
}
