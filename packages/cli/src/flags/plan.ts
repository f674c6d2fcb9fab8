/** The flags of plan, lint and fix (and their .lameduck.yaml keys) to PlanOptions. */
import { DEFAULT_BUFFER_SECONDS } from '../model/budget.js';
import { WORKLOAD_TYPES, type WorkloadType } from '../model/workloads.js';
import { UsageError } from '../output/errors.js';
import type { PlanOptions } from '../plan/build.js';
import { clusterSizeFlags, kubeVersionFlag, secondsFlag } from './values.js';

export interface PlanFlags {
  readonly nodes?: string;
  readonly profile?: string;
  readonly kubeVersion?: string;
  readonly drain?: string;
  readonly buffer?: string;
  readonly workload?: string;
  readonly container?: string;
}

export function resolvePlanOptions(flags: PlanFlags): PlanOptions {
  const size = clusterSizeFlags(flags);
  const { kubeVersion, assumed } = kubeVersionFlag(flags.kubeVersion);
  if (flags.workload !== undefined && !(WORKLOAD_TYPES as readonly string[]).includes(flags.workload)) {
    throw new UsageError(
      `--workload ${JSON.stringify(flags.workload)} must be one of ${WORKLOAD_TYPES.join(', ')}`,
    );
  }
  return {
    kubeVersion,
    kubeVersionAssumed: assumed,
    profile: size.profile,
    profileSource: size.source,
    nodes: size.nodes,
    drainSeconds: secondsFlag('drain', flags.drain),
    bufferSeconds: secondsFlag('buffer', flags.buffer) ?? DEFAULT_BUFFER_SECONDS,
    workloadType: flags.workload as WorkloadType | undefined,
    container: flags.container,
  };
}
