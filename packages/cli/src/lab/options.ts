/**
 * `lameduck lab` flags to a rehearsal: validates every value and names the flag that is wrong.
 */
import type { DataPlaneKind } from '../cluster/endpoints.js';
import { DEFAULT_PROPAGATION, PROPAGATION_BY_PROFILE, parsePropagation } from '../cluster/propagation.js';
import { type LoadFlags, type ResolvedLoadFlags, resolveLoadFlags } from '../flags/load.js';
import { clusterSizeFlags, durationFlag, integerFlag, kubeVersionFlag, oneOf } from '../flags/values.js';
import type { SecondsRange } from '../model/guide-tables.js';
import type { KubeVersion } from '../model/kube-version.js';
import { UsageError } from '../output/errors.js';
import type { Scenario } from './run.js';

export interface LabFlags extends LoadFlags {
  readonly replicas?: string;
  readonly restarts: string;
  readonly scenario: string;
  readonly duration: string;
  readonly path: string;
  readonly dataPlane: string;
  readonly propagation?: string;
  readonly nodes?: string;
  readonly profile?: string;
  readonly seed?: string;
  readonly readyTimeout: string;
  readonly prestop?: string;
  readonly grace?: string;
  readonly readinessPath?: string;
  readonly port: string;
  readonly kubeVersion?: string;
  readonly upstreamKeepalive: string;
}

export interface ResolvedLabFlags extends ResolvedLoadFlags {
  readonly replicas: number | undefined;
  readonly restarts: number;
  readonly scenario: Scenario;
  readonly durationMs: number;
  readonly path: string;
  readonly planes: DataPlaneKind[];
  readonly propagation: SecondsRange;
  readonly propagationText: string;
  readonly nodes: number;
  readonly seed: number;
  readonly readyTimeoutMs: number;
  readonly preStopSeconds: number | undefined;
  readonly graceSeconds: number | undefined;
  readonly readinessPath: string | undefined;
  readonly port: number;
  readonly kubeVersion: KubeVersion;
  readonly upstreamKeepAliveMs: number;
}

/** kube-proxy instances the lab runs: enough to show nodes disagreeing, few enough to stay light. */
const EMULATED_NODES = 3;

export function resolveLabFlags(flags: LabFlags): ResolvedLabFlags {
  const load = resolveLoadFlags(flags);
  const scenario = oneOf('scenario', flags.scenario, ['rollout', 'evict', 'scale-in'] as const);
  const plane = oneOf('data-plane', flags.dataPlane, ['kube-proxy', 'ingress', 'both'] as const);
  const { range, text: propagationText } = resolvePropagation(flags);
  if (!flags.path.startsWith('/')) throw new UsageError(`--path must start with /, not "${flags.path}"`);
  return {
    ...load,
    replicas: integerFlag('replicas', flags.replicas, 1),
    restarts: integerFlag('restarts', flags.restarts, 1) as number,
    scenario,
    durationMs: durationFlag('duration', flags.duration),
    path: flags.path,
    planes: plane === 'both' ? ['kube-proxy', 'ingress'] : [plane],
    propagation: range,
    propagationText,
    nodes: EMULATED_NODES,
    seed: integerFlag('seed', flags.seed, 0) ?? Math.floor(Math.random() * 2 ** 31),
    readyTimeoutMs: durationFlag('ready-timeout', flags.readyTimeout),
    preStopSeconds: flags.prestop === undefined ? undefined : durationFlag('prestop', flags.prestop) / 1000,
    graceSeconds: integerFlag('grace', flags.grace, 0),
    readinessPath: flags.readinessPath,
    port: integerFlag('port', flags.port, 1) as number,
    kubeVersion: kubeVersionFlag(flags.kubeVersion).kubeVersion,
    upstreamKeepAliveMs: durationFlag('upstream-keepalive', flags.upstreamKeepalive),
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
    const { profile } = clusterSizeFlags(flags);
    range = PROPAGATION_BY_PROFILE[profile];
    text = `${range.min}-${range.max} s (${profile} cluster)`;
  }
  return { range, text };
}
