/**
 * Kinds lameduck reads, and the typo check: `kind: Deploymnet` is rejected by the API server, and a
 * linter that passes it in silence has checked nothing.
 */
import { WORKLOAD_KINDS } from '../model/workloads.js';

/** Every kind some part of lameduck reads, plus the common built-ins a typo could be aiming at. */
const KNOWN_KINDS: readonly string[] = [
  ...WORKLOAD_KINDS,
  'Service',
  'Ingress',
  'IngressClass',
  'EndpointSlice',
  'Endpoints',
  'ConfigMap',
  'Secret',
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StorageClass',
  'Node',
  'LimitRange',
  'ResourceQuota',
  'PriorityClass',
  'CustomResourceDefinition',
  'Kustomization',
  'Gateway',
  'GatewayClass',
  'HTTPRoute',
  'GRPCRoute',
  'TCPRoute',
  'TLSRoute',
  'UDPRoute',
  'ReferenceGrant',
  'BackendTLSPolicy',
  'VirtualService',
  'DestinationRule',
  'ServiceMonitor',
  'PodMonitor',
];

/**
 * The kinds of the built-in API groups lameduck reads workloads from. These sets are closed: the API
 * server refuses any other kind in them, so a kind outside them is an error in the file, whatever
 * its spelling. (Custom resources live in groups of their own and are left alone.)
 */
const BUILT_IN_KINDS: Readonly<Record<string, readonly string[]>> = {
  v1: [
    'Pod',
    'Service',
    'ConfigMap',
    'Secret',
    'Namespace',
    'ServiceAccount',
    'Endpoints',
    'Event',
    'PersistentVolumeClaim',
    'PersistentVolume',
    'Node',
    'LimitRange',
    'ResourceQuota',
    'ReplicationController',
    'PodTemplate',
    'Binding',
    'ComponentStatus',
  ],
  'apps/v1': ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'],
  'batch/v1': ['Job', 'CronJob'],
};

/** Why `kind` cannot be in `apiVersion`, for a built-in group that has no such kind. */
export function kindOutsideGroup(kind: string, apiVersion: string): string | undefined {
  const kinds = BUILT_IN_KINDS[apiVersion];
  if (kinds === undefined || kinds.includes(kind) || kind.endsWith('List')) return undefined;
  return `kind "${kind}" does not exist in apiVersion ${apiVersion} (it has ${kinds.join(', ')}); the API server refuses it`;
}

/**
 * Whether an apiVersion's group is Kubernetes' own (the core group, `apps`, `*.k8s.io`), where the
 * kinds are few and known; a custom resource's group names kinds of its own (Contour's
 * `HTTPProxy`, Argo's `Rollout`), however close to a built-in one they are spelled.
 */
function kubernetesGroup(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** The known kind `kind` most likely misspells, or undefined when it is known or not close to one. */
export function misspeltKind(kind: string, apiVersion: string): string | undefined {
  if (KNOWN_KINDS.includes(kind) || kind.endsWith('List') || !kubernetesGroup(apiVersion)) return undefined;
  // Short kinds differ from each other by little (Pod, Job, Node), so they get less room.
  const allowed = kind.length <= 6 ? 1 : 2;
  let best: { kind: string; distance: number } | undefined;
  for (const known of KNOWN_KINDS) {
    const distance =
      known.toLowerCase() === kind.toLowerCase() ? 0 : editDistance(kind.toLowerCase(), known.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance))
      best = { kind: known, distance };
  }
  return best?.kind;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
