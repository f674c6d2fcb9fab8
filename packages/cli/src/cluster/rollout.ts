/**
 * The Deployment and ReplicaSet controllers' decisions, as a pure function of the pods they see.
 * Follows kubernetes/kubernetes pkg/controller/deployment (rolling.go reconcileNewReplicaSet /
 * reconcileOldReplicaSets, recreate.go) and pkg/controller/replicaset (getPodsToDelete ranking):
 *
 * - terminating pods are not "active" (controller.FilterActivePods), so a deleted pod is replaced at
 *   once and does not count toward maxSurge while it drains;
 * - the new ReplicaSet grows while active pods < replicas + maxSurge;
 * - old pods go while available pods > replicas - maxUnavailable, unhealthy ones first;
 * - Recreate deletes every old pod and creates new ones only once no old pod is left, terminating
 *   ones included (recreate.go oldPodsRunning).
 */

export interface PodView {
  readonly name: string;
  readonly revision: number;
  readonly ready: boolean;
  /** When the pod last became ready, in seconds. */
  readonly readySince: number | undefined;
  readonly terminating: boolean;
  readonly createdAt: number;
}

export type Strategy =
  | { readonly type: 'RollingUpdate'; readonly maxSurge: number; readonly maxUnavailable: number }
  | { readonly type: 'Recreate' };

export interface DeploymentView {
  readonly replicas: number;
  readonly revision: number;
  readonly strategy: Strategy;
  readonly minReadySeconds: number;
}

export type ControllerAction =
  | { readonly kind: 'create'; readonly revision: number; readonly count: number }
  | { readonly kind: 'delete'; readonly pods: readonly string[] };

export function isAvailable(pod: PodView, now: number, minReadySeconds: number): boolean {
  return pod.ready && pod.readySince !== undefined && now - pod.readySince >= minReadySeconds;
}

/** What the controllers do next; empty when the Deployment is where it should be. */
export function reconcile(
  deployment: DeploymentView,
  pods: readonly PodView[],
  now: number,
): ControllerAction[] {
  const active = pods.filter((p) => !p.terminating);
  const current = active.filter((p) => p.revision === deployment.revision);
  const old = active.filter((p) => p.revision !== deployment.revision);
  const available = (p: PodView) => isAvailable(p, now, deployment.minReadySeconds);
  const actions: ControllerAction[] = [];

  if (deployment.strategy.type === 'Recreate') {
    if (old.length > 0) return [{ kind: 'delete', pods: old.map((p) => p.name) }];
    if (pods.some((p) => p.revision !== deployment.revision)) return [];
    return scaleTo(deployment, current);
  }

  if (old.length === 0) return scaleTo(deployment, current);

  const { maxSurge, maxUnavailable } = deployment.strategy;
  const room = Math.min(deployment.replicas + maxSurge - active.length, deployment.replicas - current.length);
  if (room > 0) actions.push({ kind: 'create', revision: deployment.revision, count: room });

  const minAvailable = deployment.replicas - maxUnavailable;
  const currentUnavailable = current.filter((p) => !available(p)).length;
  let maxScaledDown = active.length - minAvailable - currentUnavailable;
  const toDelete: string[] = [];
  if (maxScaledDown > 0) {
    const unhealthy = old.filter((p) => !available(p)).slice(0, maxScaledDown);
    toDelete.push(...unhealthy.map((p) => p.name));
    maxScaledDown -= unhealthy.length;
    const availableNow = active.filter((p) => available(p) && !toDelete.includes(p.name)).length;
    const healthyOld = deletionOrder(old.filter((p) => available(p)));
    const count = Math.min(availableNow - minAvailable, healthyOld.length);
    if (count > 0) toDelete.push(...healthyOld.slice(0, count).map((p) => p.name));
  }
  if (toDelete.length > 0) actions.push({ kind: 'delete', pods: toDelete });
  return actions;
}

/** No rollout in progress: the ReplicaSet keeps `replicas` active pods. */
function scaleTo(deployment: DeploymentView, current: readonly PodView[]): ControllerAction[] {
  const missing = deployment.replicas - current.length;
  if (missing > 0) return [{ kind: 'create', revision: deployment.revision, count: missing }];
  if (missing < 0) {
    return [
      {
        kind: 'delete',
        pods: deletionOrder(current)
          .slice(0, -missing)
          .map((p) => p.name),
      },
    ];
  }
  return [];
}

/**
 * The ReplicaSet's order for scale-down (controller.ActivePodsWithRanks): not ready before ready,
 * more recently ready before longer ready, newer before older.
 */
export function deletionOrder(pods: readonly PodView[]): PodView[] {
  return [...pods].sort((a, b) => {
    if (a.ready !== b.ready) return a.ready ? 1 : -1;
    const readyOrder = (b.readySince ?? 0) - (a.readySince ?? 0);
    if (readyOrder !== 0) return readyOrder;
    return b.createdAt - a.createdAt;
  });
}

/** The rollout is done: `replicas` available pods of the current revision and no old active pod. */
export function rolloutComplete(deployment: DeploymentView, pods: readonly PodView[], now: number): boolean {
  const active = pods.filter((p) => !p.terminating);
  return (
    active.length === deployment.replicas &&
    active.every((p) => p.revision === deployment.revision && isAvailable(p, now, deployment.minReadySeconds))
  );
}
