/**
 * The pod's grace period: the one reader of `terminationGracePeriodSeconds` and of how Kubernetes
 * defaults it. Everything else (the budget, the lab, verify, collect) takes it from here or from the
 * workload analysis, so a change in how the field is defaulted is made once.
 */
import { getNumber, type JsonObject } from './json.js';

/** Pod spec default for terminationGracePeriodSeconds (k8s.io/api core/v1 DefaultTerminationGracePeriodSeconds). */
export const DEFAULT_GRACE_SECONDS = 30;

/** terminationGracePeriodSeconds as written in a pod spec; undefined when unset. */
export function specGraceSeconds(podSpec: JsonObject | undefined): number | undefined {
  return getNumber(podSpec, ['terminationGracePeriodSeconds']);
}

/**
 * A spec grace of 0 makes the API server delete the object at once (strategy.go CheckGracefulDelete),
 * and the kubelet still supplies at least 1 s ("no matter what, we always supply a grace period of 1",
 * pod_workers.go calculateEffectiveGracePeriod).
 */
export function effectiveGraceSeconds(specGraceSeconds: number | undefined): number {
  return Math.max(specGraceSeconds ?? DEFAULT_GRACE_SECONDS, 1);
}
