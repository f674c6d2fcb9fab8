/**
 * A lint rule, in the spirit of ESLint's `meta` + `create` and hadolint's one-module-per-rule:
 * metadata plus a check over a small typed view. A rule never parses, walks directories or
 * formats output; it points at a path inside the object and the engine turns that into file:line.
 */

import { docsUrl } from '../links.js';
import type { WorkloadAnalysis } from '../model/analyze.js';
import type { Change } from '../model/changes.js';
import { watchingRole } from '../model/controllers.js';
import { scaleDownDelays } from '../model/front-of-pod.js';
import type { ClusterProfile } from '../model/guide-tables.js';
import { getNumber, getString, type JsonObject, type Path } from '../model/json.js';
import type { KubeVersion } from '../model/kube-version.js';
import type { Neighbours } from '../model/neighbours.js';
import type { PreStopCoverage } from '../model/parties.js';
import { podAddressed } from '../model/pod-addressed.js';
import { dataKeeperOf, dataStore, mainServer } from '../model/protocols.js';
import type { ServingContainer, ServingEvidence } from '../model/serving.js';
import { dataVolumePath, singleHolderClaim } from '../model/volumes.js';
import type { WorkloadKind } from '../model/workloads.js';
import type { ImageLinker } from './images.js';
import type { MessageTable, RuleMessage } from './messages.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export interface LintOptions {
  readonly kubeVersion: KubeVersion;
  readonly profile: ClusterProfile;
  readonly bufferSeconds: number;
  readonly drainSeconds?: number | undefined;
}

/** One workload as rules see it: the model's analysis plus its neighbours in the input. */
export interface WorkloadContext extends Neighbours {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly object: JsonObject;
  readonly analysis: WorkloadAnalysis;
  /** Every container with the evidence that it serves requests (model/serving.ts): the one answer rules use. */
  readonly serving: readonly ServingContainer[];
  /**
   * The preStop range the workload needs: its cluster size's, or that of the slowest party in front
   * of it that may still send it requests (a LoadBalancer Service, an AWS target group), as plan
   * recommends it (model/parties.ts).
   */
  readonly preStopCoverage: PreStopCoverage;
  /** The development environment its namespace or directory names (model/environments.ts), if any. */
  readonly environment?: string;
  readonly options: LintOptions;
  /** The Dockerfile that builds an image, when the input links one. */
  readonly dockerfileFor: ImageLinker;
}

export interface RuleFinding extends RuleMessage {
  /** Path of the node the finding is about (the nearest existing ancestor is shown). */
  readonly path: Path;
  /** The object the path is in, when not the workload itself (e.g. one of its Services). */
  readonly in?: JsonObject;
  readonly container?: string;
  /** Lower than the rule's severity when the evidence is weaker (a port nothing is known to route to). */
  readonly severity?: Severity;
  /** What to change. */
  readonly fix: string;
  /** The edit `fix` makes, when the rule computes it itself instead of the model's recommendations. */
  readonly change?: Change;
}

/** What every rule states about itself, whatever it checks. */
export interface RuleMeta {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly docs: string;
  /** What its findings say, by id: what will happen at runtime, in Kubernetes terms. */
  readonly messages: MessageTable;
}

/** A rule over Kubernetes workloads. */
export interface Rule extends RuleMeta {
  /** The kind of model change that safely fixes a finding of this rule, where one exists. */
  readonly fixedBy?: Change['kind'];
  check(context: WorkloadContext): RuleFinding[];
}

export const DOCS_BASE = docsUrl('rules.md');

export type EvidencedContainer = ServingContainer & {
  readonly evidence: Exclude<ServingEvidence, { kind: 'not-serving' }>;
};

/**
 * Containers that may receive requests: those with evidence that they serve, and those with a port
 * nothing in the input is known to route to (rules say less of those, at info). Metrics-only
 * containers, port-less sidecars, native sidecars and Jobs are left out.
 */
export function servingContainers(context: WorkloadContext): EvidencedContainer[] {
  return context.serving.filter((c): c is EvidencedContainer => c.evidence.kind !== 'not-serving');
}

/**
 * How a finding about a possibly serving container speaks: with its rule's message and severity when
 * serving is shown, else the rule's `mayServe` message at info; `evidence` is the clause naming it.
 */
export function servingTerms(
  evidence: EvidencedContainer['evidence'],
  servingMessageId: string,
): { messageId: string; severity?: Severity; evidence: string } {
  return evidence.kind === 'serving'
    ? { messageId: servingMessageId, evidence: evidence.because }
    : {
        messageId: 'mayServe',
        severity: 'info',
        evidence:
          evidence.because ??
          `if port ${evidence.port} serves requests (no Service in the input routes to it and its name does not say)`,
      };
}

/**
 * A single replica that no other pod stands in for while it stops: a StatefulSet of one (its
 * replacement starts only after it is gone), a bare ReplicaSet of one, an Argo Rollout of one that
 * keeps its old pods after traffic switched, a database or broker of one, a StatefulSet whose
 * clients name each pod (model/pod-addressed.ts), a pod whose replacement
 * waits for its volume (soleHolder), or a Recreate Deployment of one by design. Routing has nowhere
 * else to send its requests, so a preStop only delays the restart and a readiness probe has nothing
 * to steer; single-replica speaks about that window. (Any other Recreate Deployment of one is
 * rolling-update-unavailable's, whose fix makes a second pod stand in, and then the preStop matters.)
 */
export function loneEndpoint(context: WorkloadContext): boolean {
  // Clients that name each pod of a StatefulSet (`gitserver-0.gitserver:3178`) have no other pod to
  // send its requests to, however many replicas there are.
  if (context.kind === 'StatefulSet' && podAddressed(context.object, context.objectsOfKind) !== undefined)
    return true;
  if ((getNumber(context.object, ['spec', 'replicas']) ?? 1) !== 1) return false;
  return (
    context.kind === 'StatefulSet' ||
    // A bare ReplicaSet never rolls: its one pod stops only on eviction or deletion, with no surge.
    context.kind === 'ReplicaSet' ||
    // A blue-green Rollout, or a canary with traffic routing, scales the old pods down only
    // scaleDownDelaySeconds (30 s by default) after traffic switched to the new ones: what is left
    // is an eviction of the one pod.
    scaleDownDelays(context.object, context.kind).length > 0 ||
    mainDataStore(context) !== undefined ||
    soleHolder(context) ||
    recreateByDesign(context)
  );
}

/**
 * A Recreate Deployment of one whose Recreate is its design, not a bug rolling-update-unavailable
 * would fix: a singleton controller, a server that keeps its data in the pod, or a pod that writes
 * its data to a volume (model/volumes.ts). No pod runs beside it.
 */
export function recreateByDesign(context: WorkloadContext): boolean {
  return (
    getString(context.object, ['spec', 'strategy', 'type']) === 'Recreate' &&
    (singletonController(context) !== undefined ||
      dataKeeper(context) !== undefined ||
      dataVolumePath(
        context.analysis.template,
        context.analysis.containers.filter((c) => c.container.role === 'main').map((c) => c.container.spec),
      ) !== undefined)
  );
}

/**
 * A controller kept to one replica by design: `strategy: Recreate` so that two never run at once, a
 * role that lets it watch the API (model/controllers.ts), and nothing from outside the cluster in
 * front of it (no Ingress, no LoadBalancer or NodePort Service), and no data of its own in the pod.
 * Its Service carries metrics or a status API. Returns the role, for the message.
 */
export function singletonController(context: WorkloadContext): string | undefined {
  const { object } = context;
  if (context.kind !== 'Deployment' || (getNumber(object, ['spec', 'replicas']) ?? 1) !== 1) return undefined;
  if (getString(object, ['spec', 'strategy', 'type']) !== 'Recreate' || context.ingresses.length > 0)
    return undefined;
  const outside = context.services.some((service) =>
    ['LoadBalancer', 'NodePort'].includes(getString(service, ['spec', 'type']) ?? 'ClusterIP'),
  );
  // A server that keeps data in the pod (Prometheus watches the API for its targets) is no controller.
  if (outside || dataKeeper(context) !== undefined || singleHolder(context)) return undefined;
  return watchingRole(context.analysis.template, object, context.objectsOfKind);
}

/** The pod mounts a volume one pod or one node holds (model/volumes.ts): a second replica is no shield from a node drain. */
export function singleHolder(context: WorkloadContext): boolean {
  return singleHolderClaim(context.analysis.template, context.object, context) !== undefined;
}

/**
 * No pod of the workload runs beside this one while it stops: its claim is ReadWriteOncePod, or
 * ReadWriteOnce under Recreate. A ReadWriteOnce claim under a rolling update is no such proof: the
 * surge pod on the same node mounts it and takes traffic (Mastodon's web pod shares its claims
 * with Sidekiq), and the old pod then needs its preStop.
 */
export function soleHolder(context: WorkloadContext): boolean {
  const claim = singleHolderClaim(context.analysis.template, context.object, context);
  if (claim === undefined) return false;
  return (
    claim.heldBy === 'pod' ||
    context.kind !== 'Deployment' ||
    getString(context.object, ['spec', 'strategy', 'type']) === 'Recreate'
  );
}

/** The database or broker the workload's main containers run (model/protocols.ts), if any. */
export function mainDataStore(context: WorkloadContext): string | undefined {
  return mainServer(context.analysis.containers, dataStore);
}

/** The server a main container runs that keeps its data in the pod (model/protocols.ts). */
export function dataKeeper(context: WorkloadContext): string | undefined {
  return dataKeeperOf(context.analysis.containers);
}
