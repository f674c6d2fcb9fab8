/**
 * The workloads `verify` and `collect` accept, as kubectl names them (`deployment/my-app`,
 * `deploy/my-app`, `rollout/my-app`), and where each lives in the API. Pure.
 */
import { UsageError } from '../output/errors.js';

export type RestartableKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';

export interface WorkloadRef {
  readonly kind: RestartableKind;
  readonly name: string;
}

const ALIASES: Record<string, RestartableKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  'deployment.apps': 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  'statefulset.apps': 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
  'daemonset.apps': 'DaemonSet',
  rollout: 'Rollout',
  rollouts: 'Rollout',
  ro: 'Rollout',
  'rollout.argoproj.io': 'Rollout',
};

const API: Record<RestartableKind, { readonly group: string; readonly plural: string }> = {
  Deployment: { group: '/apis/apps/v1', plural: 'deployments' },
  StatefulSet: { group: '/apis/apps/v1', plural: 'statefulsets' },
  DaemonSet: { group: '/apis/apps/v1', plural: 'daemonsets' },
  Rollout: { group: '/apis/argoproj.io/v1alpha1', plural: 'rollouts' },
};

/** RFC 1123 subdomain, as the API server validates object names. */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parseWorkloadRef(text: string): WorkloadRef {
  const [kindText, name, extra] = text.split('/');
  const kind = kindText === undefined ? undefined : ALIASES[kindText.toLowerCase()];
  if (!kind || !name || extra !== undefined || !NAME.test(name)) {
    throw new UsageError(
      `"${text}" is not a workload; name it as kubectl does: deployment/NAME, statefulset/NAME, daemonset/NAME or rollout/NAME`,
    );
  }
  return { kind, name };
}

export function workloadPath(ref: WorkloadRef, namespace: string): string {
  const { group, plural } = API[ref.kind];
  return `${group}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(ref.name)}`;
}

/** deployment/web, as kubectl prints it. */
export function refName(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

export function describeRef(ref: WorkloadRef, namespace: string): string {
  return `${refName(ref)} in namespace ${namespace}`;
}
