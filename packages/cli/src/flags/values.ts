/**
 * Parsers for the values of command-line flags (and of .lameduck.yaml, which takes the same values).
 * Each error is a UsageError that names the flag, the value and what it takes.
 */
import { parseDurationSeconds } from '../model/duration.js';
import {
  CLUSTER_PROFILES,
  type ClusterProfile,
  DEFAULT_PROFILE,
  profileForNodes,
} from '../model/guide-tables.js';
import { DEFAULT_KUBE_VERSION, type KubeVersion, parseKubeVersion } from '../model/kube-version.js';
import { UsageError } from '../output/errors.js';

export function integerFlag(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  return value;
}

/** A length of time above 0, in milliseconds (--duration, --timeout). */
export function durationFlag(name: string, text: string): number {
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined || seconds <= 0)
    throw new UsageError(`--${name} must be a duration such as 30s or 1m, not "${text}"`);
  return seconds * 1000;
}

/** A number of seconds, 0 included, written as a duration or a plain number (--drain, --buffer). */
export function secondsFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseDurationSeconds(text);
  if (parsed === undefined)
    throw new UsageError(`--${name} ${JSON.stringify(text)} is not a duration; use e.g. 20s, 1m30s or 20`);
  return parsed;
}

export function oneOf<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not "${value}"`);
}

/** --kube-version, and whether it was assumed (the reports say so). */
export function kubeVersionFlag(text: string | undefined): { kubeVersion: KubeVersion; assumed: boolean } {
  if (text === undefined) return { kubeVersion: DEFAULT_KUBE_VERSION, assumed: true };
  const kubeVersion = parseKubeVersion(text);
  if (!kubeVersion)
    throw new UsageError(`--kube-version ${JSON.stringify(text)} is not a version; use e.g. 1.31`);
  return { kubeVersion, assumed: false };
}

export interface ClusterSize {
  readonly profile: ClusterProfile;
  readonly source: 'nodes' | 'profile' | 'assumed';
  readonly nodes: number | undefined;
}

/** --nodes or --profile: how large the cluster is, which sets how long endpoint propagation takes. */
export function clusterSizeFlags(flags: { readonly nodes?: string; readonly profile?: string }): ClusterSize {
  if (flags.nodes !== undefined && flags.profile !== undefined) {
    throw new UsageError('--nodes and --profile both set the cluster size; pass one');
  }
  if (flags.nodes !== undefined) {
    const nodes = Number(flags.nodes);
    if (!Number.isInteger(nodes) || nodes < 1)
      throw new UsageError(`--nodes ${JSON.stringify(flags.nodes)} must be a whole number of nodes, e.g. 40`);
    return { profile: profileForNodes(nodes), source: 'nodes', nodes };
  }
  if (flags.profile !== undefined) {
    if (!(CLUSTER_PROFILES as readonly string[]).includes(flags.profile)) {
      throw new UsageError(
        `--profile ${JSON.stringify(flags.profile)} must be one of ${CLUSTER_PROFILES.join(', ')}`,
      );
    }
    return { profile: flags.profile as ClusterProfile, source: 'profile', nodes: undefined };
  }
  return { profile: DEFAULT_PROFILE, source: 'assumed', nodes: undefined };
}
