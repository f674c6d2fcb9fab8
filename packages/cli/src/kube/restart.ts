/**
 * A rolling restart exactly as `kubectl rollout restart` makes one, and when it is done, as
 * `kubectl rollout status` decides. Pure: the time is passed in.
 *
 * - Deployments, StatefulSets, DaemonSets: a strategic merge patch of the pod template annotation
 *   `kubectl.kubernetes.io/restartedAt` (RFC 3339, seconds); a paused Deployment is refused
 *   (k/k staging/src/k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go).
 * - Argo Rollouts: a merge patch of `spec.restartAt`, as `kubectl argo rollouts restart` does;
 *   a paused Rollout is refused too, since its controller would not act on it.
 */
import { getIn, getNumber, getObject, getString, type JsonObject } from '../model/json.js';
import { refName, type WorkloadRef } from './workload-ref.js';

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export interface RestartPatch {
  readonly contentType: 'application/strategic-merge-patch+json' | 'application/merge-patch+json';
  readonly body: JsonObject;
  /** What the patch sets, for --dry-run and the report. */
  readonly description: string;
}

/** Kubernetes writes metav1.Time in RFC 3339 with whole seconds. */
export function rfc3339Seconds(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** Why the workload cannot be restarted now, or undefined when it can. */
export function restartRefusal(ref: WorkloadRef, workload: JsonObject): string | undefined {
  if (getIn(workload, ['spec', 'paused']) === true) {
    return ref.kind === 'Rollout'
      ? `rollout/${ref.name} is paused; resume it first (kubectl argo rollouts promote ${ref.name})`
      : `${refName(ref)} is paused; resume it first (kubectl rollout resume ${refName(ref)}), as kubectl rollout restart also refuses a paused rollout`;
  }
  // Only DaemonSets and StatefulSets have spec.updateStrategy.
  if (getString(workload, ['spec', 'updateStrategy', 'type']) === 'OnDelete') {
    return `${refName(ref)} uses the OnDelete update strategy: a template change restarts nothing until pods are deleted by hand`;
  }
  return undefined;
}

export function restartPatch(ref: WorkloadRef, at: Date): RestartPatch {
  const stamp = rfc3339Seconds(at);
  if (ref.kind === 'Rollout') {
    return {
      contentType: 'application/merge-patch+json',
      body: { spec: { restartAt: stamp } },
      description: `spec.restartAt: ${stamp}`,
    };
  }
  return {
    contentType: 'application/strategic-merge-patch+json',
    body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: stamp } } } } },
    description: `spec.template.metadata.annotations["${RESTARTED_AT_ANNOTATION}"]: ${stamp}`,
  };
}

export interface RolloutState {
  readonly done: boolean;
  /** kubectl rollout status's wording. */
  readonly message: string;
}

/** `kubectl rollout status` for each kind (k/k staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go). */
export function rolloutState(ref: WorkloadRef, workload: JsonObject): RolloutState {
  const spec = (path: string[]) => getNumber(workload, ['spec', ...path]);
  const status = (path: string[]) => getNumber(workload, ['status', ...path]) ?? 0;
  const generation = getNumber(workload, ['metadata', 'generation']) ?? 0;
  const observed = getNumber(workload, ['status', 'observedGeneration']) ?? 0;
  if (ref.kind !== 'Rollout' && observed < generation) {
    return { done: false, message: 'waiting for the rollout spec update to be observed' };
  }
  switch (ref.kind) {
    case 'Deployment': {
      const replicas = spec(['replicas']) ?? 1;
      const updated = status(['updatedReplicas']);
      if (updated < replicas)
        return { done: false, message: `${updated} out of ${replicas} new replicas have been updated` };
      if (status(['replicas']) > updated)
        return {
          done: false,
          message: `${status(['replicas']) - updated} old replicas are pending termination`,
        };
      if (status(['availableReplicas']) < updated)
        return {
          done: false,
          message: `${status(['availableReplicas'])} of ${updated} updated replicas are available`,
        };
      return { done: true, message: 'successfully rolled out' };
    }
    case 'StatefulSet': {
      const replicas = spec(['replicas']) ?? 1;
      if (status(['readyReplicas']) < replicas)
        return { done: false, message: `${status(['readyReplicas'])} of ${replicas} pods are ready` };
      const current = getString(workload, ['status', 'currentRevision']);
      const update = getString(workload, ['status', 'updateRevision']);
      if (current !== update) return { done: false, message: `waiting for partitioned roll out to finish` };
      return { done: true, message: 'rolling update complete' };
    }
    case 'DaemonSet': {
      const desired = status(['desiredNumberScheduled']);
      if (status(['updatedNumberScheduled']) < desired)
        return {
          done: false,
          message: `${status(['updatedNumberScheduled'])} out of ${desired} new pods have been updated`,
        };
      if (status(['numberAvailable']) < desired)
        return {
          done: false,
          message: `${status(['numberAvailable'])} of ${desired} updated pods are available`,
        };
      return { done: true, message: 'successfully rolled out' };
    }
    case 'Rollout': {
      const requested = getString(workload, ['spec', 'restartAt']);
      const restarted = getString(workload, ['status', 'restartedAt']);
      if (requested !== undefined && restarted !== requested)
        return { done: false, message: 'waiting for the restart to finish' };
      const phase = getString(workload, ['status', 'phase']);
      const replicas = spec(['replicas']) ?? 1;
      if (status(['availableReplicas']) < replicas)
        return {
          done: false,
          message: `${status(['availableReplicas'])} of ${replicas} replicas are available`,
        };
      return phase === undefined || phase === 'Healthy'
        ? { done: true, message: 'successfully rolled out' }
        : { done: false, message: `rollout phase ${phase}` };
    }
  }
}

/** The label selector of the workload's pods, as the `labelSelector` query parameter spells it. */
export function selectorQuery(workload: JsonObject): string | undefined {
  const selector = getObject(workload, ['spec', 'selector']);
  if (!selector) return undefined;
  const terms: string[] = [];
  for (const [key, value] of Object.entries(getObject(selector, ['matchLabels']) ?? {})) {
    terms.push(`${key}=${String(value)}`);
  }
  const expressions = getIn(selector, ['matchExpressions']);
  for (const expression of Array.isArray(expressions) ? expressions : []) {
    const key = getString(expression, ['key']);
    const operator = getString(expression, ['operator']);
    const values = getIn(expression, ['values']);
    const list = Array.isArray(values) ? values.map(String).join(',') : '';
    if (key === undefined) continue;
    if (operator === 'In') terms.push(`${key} in (${list})`);
    else if (operator === 'NotIn') terms.push(`${key} notin (${list})`);
    else if (operator === 'Exists') terms.push(key);
    else if (operator === 'DoesNotExist') terms.push(`!${key}`);
  }
  return terms.length === 0 ? undefined : terms.join(',');
}
