import { getIn, getNumber, getObject, getString, type JsonObject } from '../../model/json.js';
import { namespaceOf } from '../../model/neighbours.js';
import { headless, labelSelectorMatches, serviceSelects } from '../../model/services.js';
import { findPodTemplate, isWorkloadKind } from '../../model/workloads.js';
import {
  DOCS_BASE,
  dataKeeper,
  type Rule,
  type RuleFinding,
  servingContainers,
  servingTerms,
  singleHolder,
  singletonController,
  type WorkloadContext,
} from '../rule.js';

const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout'];

/**
 * Every finding of this rule is about the replica count: it lands on `spec.replicas`, or on the
 * minimum of the autoscaler that sets it, whose field the fix then names.
 */
function replicaCount(scaler: Autoscaler | undefined) {
  return (finding: Omit<RuleFinding, 'path'>): RuleFinding[] => [
    scaler
      ? {
          ...finding,
          in: scaler.object,
          path: ['spec', scaler.field],
          fix: finding.fix.replaceAll('replicas: 2', `${scaler.field}: 2`),
        }
      : { path: ['spec', 'replicas'], ...finding },
  ];
}

/** The other way, for an app a second replica would split. */
const STATE_IN_POD =
  'if the app keeps state in the pod that a second replica would split (sessions, routes or received hooks in memory), keep it single: a PodDisruptionBudget with maxUnavailable: 0 holds evictions back (kubectl drain then waits for you) and restarts go in a maintenance window';

/** An autoscaler in the input whose scaleTargetRef names the workload, and the fewest replicas it keeps. */
interface Autoscaler {
  readonly object: JsonObject;
  readonly field: 'minReplicas' | 'minReplicaCount';
  readonly minimum: number;
}

/**
 * The autoscaler that keeps the most replicas at least: a HorizontalPodAutoscaler's minReplicas
 * (default 1) or a KEDA ScaledObject's minReplicaCount (default 0). It, not `spec.replicas`, sets
 * how many run: a finding lands on its minimum, and the fix raises that.
 */
function autoscaler(context: WorkloadContext): Autoscaler | undefined {
  const targets = (kind: string, field: Autoscaler['field'], fallback: number): Autoscaler[] =>
    context
      .objectsOfKind(kind)
      .filter(
        (scaler) =>
          namespaceOf(scaler) === namespaceOf(context.object) &&
          getString(scaler, ['spec', 'scaleTargetRef', 'name']) === context.name &&
          (getString(scaler, ['spec', 'scaleTargetRef', 'kind']) ?? 'Deployment') === context.kind,
      )
      .map((object) => ({ object, field, minimum: getNumber(object, ['spec', field]) ?? fallback }));
  const scalers = [
    ...targets('HorizontalPodAutoscaler', 'minReplicas', 1),
    ...targets('ScaledObject', 'minReplicaCount', 0),
  ];
  return scalers.sort((a, b) => b.minimum - a.minimum)[0];
}

/** Replicas of the other workloads whose pods the same Services select (v1 and v2 of one app). */
function siblingReplicas(context: WorkloadContext): number {
  let total = 0;
  for (const kind of REPLICATED_KINDS) {
    for (const other of context.objectsOfKind(kind)) {
      if (other === context.object || !isWorkloadKind(other.kind) || sameWorkload(other, context)) continue;
      const lookup = findPodTemplate(other, other.kind);
      const labels = lookup.found ? (getObject(lookup.template.metadata, ['labels']) ?? {}) : {};
      // Through a headless Service clients reach each pod by its own address: one pod of another
      // workload behind it (a gossip ring of many) does not stand in for this one.
      const behindSame = context.services.some(
        (service: JsonObject) =>
          !headless(service) &&
          namespaceOf(service) === namespaceOf(other) &&
          serviceSelects(service, labels),
      );
      if (behindSame) total += getNumber(other, ['spec', 'replicas']) ?? 1;
    }
  }
  return total;
}

/**
 * A PodDisruptionBudget in the input that selects the pod and allows no disruption of its one
 * replica (`maxUnavailable: 0`, or `minAvailable` 1 or 100 %): evictions and `kubectl drain` wait for
 * it, so only a restart or a node failure leaves the Service without an endpoint. Returns its name.
 */
function holdingBudget(context: WorkloadContext): string | undefined {
  const labels = getObject(context.analysis.template.metadata, ['labels']) ?? {};
  const held = context.objectsOfKind('PodDisruptionBudget').find((budget) => {
    if (namespaceOf(budget) !== namespaceOf(context.object)) return false;
    const selector = getObject(budget, ['spec', 'selector']);
    if (selector === undefined || !labelSelectorMatches(selector, labels)) return false;
    const maxUnavailable = getIn(budget, ['spec', 'maxUnavailable']);
    const minAvailable = getIn(budget, ['spec', 'minAvailable']);
    return (
      maxUnavailable === 0 ||
      maxUnavailable === '0%' ||
      (typeof minAvailable === 'number' && minAvailable >= 1) ||
      minAvailable === '100%'
    );
  });
  return held === undefined ? undefined : (getString(held, ['metadata', 'name']) ?? '');
}

/** The same workload read twice (a kustomization and its parent, two install files): not a sibling. */
function sameWorkload(other: JsonObject, context: WorkloadContext): boolean {
  return (
    getString(other, ['kind']) === context.kind &&
    getString(other, ['metadata', 'name']) === context.name &&
    namespaceOf(other) === namespaceOf(context.object)
  );
}

export const singleReplica: Rule = {
  id: 'single-replica',
  severity: 'warning',
  description: 'One replica behind a Service.',
  docs: `${DOCS_BASE}#single-replica`,
  messages: {
    statefulOutage:
      'with one replica every restart, eviction or node drain leaves the Service with no endpoint until {what} is back: clients see an outage of the restart time',
    evictionOutage:
      'with one replica every eviction or node drain (which does not wait for a replacement) leaves the Service with no endpoint: an outage',
    mayServe:
      '{evidence}: with one replica every eviction or node drain leaves it with no endpoint while the replacement starts',
    singletonController:
      'a controller kept to one replica by design (strategy: Recreate; {role} lets it watch the API): each restart, eviction or node drain leaves its Service with no endpoint until it is back',
    development:
      'one replica in {environment}, a development environment by its name: wherever it serves users, every eviction or node drain leaves the Service with no endpoint',
    heldByBudget:
      'one replica, which PodDisruptionBudget {budget} keeps from eviction (kubectl drain waits for it): a restart or a node failure still leaves the Service with no endpoint',
  },
  check(context) {
    if (!REPLICATED_KINDS.includes(context.kind) || context.services.length === 0) return [];
    // A pod only metrics scrapers reach (a controller, an exporter) loses no request when it goes.
    const serving = servingContainers(context);
    const [first] = serving;
    if (!first) return [];
    const replicas = getNumber(context.object, ['spec', 'replicas']) ?? 1;
    if (replicas !== 1) return [];
    const scaler = autoscaler(context);
    if ((scaler?.minimum ?? 1) >= 2 || siblingReplicas(context) >= 1) return [];
    const atReplicas = replicaCount(scaler);
    const role = singletonController(context);
    if (role !== undefined)
      return atReplicas({
        messageId: 'singletonController',
        severity: 'info',
        data: { role },
        fix: 'if it elects a leader, replicas: 2 (a standby takes over); otherwise keep it single and restart it in a maintenance window',
      });
    if (context.environment !== undefined)
      return atReplicas({
        messageId: 'development',
        severity: 'info',
        data: { environment: context.environment },
        fix: 'where it serves users: replicas: 2 or more, plus a PodDisruptionBudget with maxUnavailable: 1',
      });
    // The PodDisruptionBudget this rule would advise for a store is there: evictions wait.
    const budget = holdingBudget(context);
    if (budget !== undefined)
      return atReplicas({
        messageId: 'heldByBudget',
        severity: 'info',
        data: { budget },
        fix: 'if it can replicate, replicas: 2 or more (a drain then needs no one to move it by hand)',
      });
    // Only a port with no known route (a controller's port behind kube-rbac-proxy): say less, at info.
    if (!serving.some(({ evidence }) => evidence.kind === 'serving')) {
      const { evidence, ...terms } = servingTerms(first.evidence, 'evictionOutage');
      return atReplicas({
        ...terms,
        data: { evidence },
        fix: 'if it serves requests: replicas: 2 or more, plus a PodDisruptionBudget with maxUnavailable: 1',
      });
    }
    // A StatefulSet of one, or a database or broker run as a Deployment, most often does not
    // replicate: a second replica is not a setting away, so the advice is about the restart window.
    const store = dataKeeper(context);
    if (context.kind === 'StatefulSet' || store !== undefined || singleHolder(context)) {
      return atReplicas({
        messageId: 'statefulOutage',
        data: { what: store ?? 'the server' },
        fix: 'if it can replicate, run 2 or more; if it cannot (a single database or broker), keep voluntary evictions out with a PodDisruptionBudget (maxUnavailable: 0) and restart it in a maintenance window',
      });
    }
    // The outage is sure; that a second replica is a setting away is not (an app that keeps
    // sessions, routes or received hooks in memory would split them): the fix says both ways.
    return atReplicas({
      messageId: 'evictionOutage',
      fix: `replicas: 2 or more, plus a PodDisruptionBudget with maxUnavailable: 1; ${STATE_IN_POD}`,
    });
  },
};
