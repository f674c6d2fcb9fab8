/** Flags to PlanOptions, with a clear UsageError for every bad value. */
import { DEFAULT_BUFFER_SECONDS } from '../model/budget.js';
import { parseDurationSeconds } from '../model/duration.js';
import { DEFAULT_KUBE_VERSION, parseKubeVersion } from '../model/kube-version.js';
import {
  CLUSTER_PROFILES,
  type ClusterProfile,
  DEFAULT_PROFILE,
  profileForNodes,
} from '../model/recommendations.js';
import { WORKLOAD_TYPES, type WorkloadType } from '../model/workloads.js';
import { UsageError } from '../output/errors.js';
import type { PlanOptions } from './build.js';

export interface PlanFlags {
  readonly nodes?: string;
  readonly profile?: string;
  readonly kubeVersion?: string;
  readonly drain?: string;
  readonly buffer?: string;
  readonly workload?: string;
  readonly container?: string;
}

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDurationSeconds(value);
  if (parsed === undefined)
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a duration; use e.g. 20s, 1m30s or 20`);
  return parsed;
}

export function resolvePlanOptions(flags: PlanFlags): PlanOptions {
  if (flags.nodes !== undefined && flags.profile !== undefined) {
    throw new UsageError('--nodes and --profile both set the cluster size; pass one');
  }
  let profile: ClusterProfile = DEFAULT_PROFILE;
  let profileSource: PlanOptions['profileSource'] = 'assumed';
  let nodes: number | undefined;
  if (flags.nodes !== undefined) {
    nodes = Number(flags.nodes);
    if (!Number.isInteger(nodes) || nodes < 1)
      throw new UsageError(`--nodes ${JSON.stringify(flags.nodes)} must be a whole number of nodes, e.g. 40`);
    profile = profileForNodes(nodes);
    profileSource = 'nodes';
  } else if (flags.profile !== undefined) {
    if (!(CLUSTER_PROFILES as readonly string[]).includes(flags.profile)) {
      throw new UsageError(
        `--profile ${JSON.stringify(flags.profile)} must be one of ${CLUSTER_PROFILES.join(', ')}`,
      );
    }
    profile = flags.profile as ClusterProfile;
    profileSource = 'profile';
  }
  const kubeVersion =
    flags.kubeVersion === undefined ? DEFAULT_KUBE_VERSION : parseKubeVersion(flags.kubeVersion);
  if (!kubeVersion)
    throw new UsageError(
      `--kube-version ${JSON.stringify(flags.kubeVersion)} is not a version; use e.g. 1.31`,
    );
  if (flags.workload !== undefined && !(WORKLOAD_TYPES as readonly string[]).includes(flags.workload)) {
    throw new UsageError(
      `--workload ${JSON.stringify(flags.workload)} must be one of ${WORKLOAD_TYPES.join(', ')}`,
    );
  }
  return {
    kubeVersion,
    kubeVersionAssumed: flags.kubeVersion === undefined,
    profile,
    profileSource,
    nodes,
    drainSeconds: seconds('--drain', flags.drain),
    bufferSeconds: seconds('--buffer', flags.buffer) ?? DEFAULT_BUFFER_SECONDS,
    workloadType: flags.workload as WorkloadType | undefined,
    container: flags.container,
  };
}
