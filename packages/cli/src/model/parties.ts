/**
 * The parties in front of a pod that the input reveals, on the pod's clock (t=0: deletion), and the
 * preStop that covers the slowest of them. plan's timeline shows them; lint's preStop rules and
 * plan's recommendation take the preStop range from preStopCoverage. The facts come from
 * front-of-pod.ts and mesh-sidecars.ts; sources in docs/rules.md.
 */
import { formatSeconds as t } from './duration.js';
import {
  awsTargetGroups,
  backendConfigsOf,
  behindIngressNginx,
  DEREGISTRATION_DELAY,
  loadBalancerServices,
  nextUpstreamSettings,
  retriesOnError,
  scaleDownDelays,
  upstreamIdleTimeouts,
} from './front-of-pod.js';
import { type ClusterProfile, PRESTOP_SLEEP_BY_PROFILE, type SecondsRange } from './guide-tables.js';
import { getNumber, getString, type JsonObject } from './json.js';
import { istioSidecar, LINKERD_WAIT_ANNOTATION, linkerdProxy } from './mesh-sidecars.js';
import type { Neighbours } from './neighbours.js';
import type { PodTemplate } from './workloads.js';

export type PartyKind =
  | 'aws-alb'
  | 'aws-nlb'
  | 'load-balancer'
  | 'gke-backend-config'
  | 'ingress-nginx'
  | 'istio-proxy'
  | 'linkerd-proxy'
  | 'argo-rollouts';

export interface FrontParty {
  readonly kind: PartyKind;
  /** Who, as a noun phrase: "the ALB of Ingress web". */
  readonly who: string;
  /** What it does on the pod's clock, as a verb phrase: "deregisters the pod...". */
  readonly does: string;
  /** The setting its timing comes from, as written or defaulted. */
  readonly setting: string;
  /** Seconds from deletion; `until` is undefined when it has no end of its own. */
  readonly from: number;
  readonly until: number | undefined;
  /** How long from t=0 it may still send new requests to the pod: what the preStop must cover. */
  readonly sendsFor: SecondsRange | undefined;
}

/** The workload whose pods the parties stand in front of. */
export interface FrontedWorkload {
  readonly kind: string;
  readonly object: JsonObject;
  readonly template: PodTemplate;
}

const nameOf = (object: JsonObject) => getString(object, ['metadata', 'name']) ?? '';
const defaulted = (set: boolean) => (set ? '' : ' by default');

/** The external load balancers' row of the guide's preStop table. */
const EXTERNAL_LOAD_BALANCER = PRESTOP_SLEEP_BY_PROFILE.large;
/**
 * How long an AWS load balancer may still send a pod new requests after its deletion: until the
 * AWS Load Balancer Controller has deregistered the target. AWS documents that a deregistering
 * target gets no new requests, and the deregistration delay is the time in-flight requests (an
 * NLB: open connections) may still run. The deregistration itself comes after the controller's
 * reconcile and the ELB API: tens of seconds for an ALB (aws-load-balancer-controller #1064, fixed
 * by a 25 s preStop), about two minutes for an NLB in IP mode whatever the delay (#2366).
 */
const AWS_DEREGISTRATION: Record<'ALB' | 'NLB', SecondsRange> = {
  ALB: EXTERNAL_LOAD_BALANCER,
  NLB: { min: EXTERNAL_LOAD_BALANCER.min, max: 120 },
};

export function partiesInFront(workload: FrontedWorkload, neighbours: Neighbours): FrontParty[] {
  const parties: FrontParty[] = [];
  for (const { strategy, seconds, set } of scaleDownDelays(workload.object, workload.kind)) {
    parties.push({
      kind: 'argo-rollouts',
      who: 'Argo Rollouts',
      does: `switches traffic to the new ReplicaSet, then scales this one down ${t(seconds)} later`,
      setting: `${strategy}.scaleDownDelaySeconds ${seconds}${defaulted(set)}`,
      from: -seconds,
      until: 0,
      sendsFor: undefined,
    });
  }
  for (const group of awsTargetGroups(neighbours)) {
    const delay = group.deregistrationDelaySeconds;
    parties.push({
      kind: group.balancer === 'ALB' ? 'aws-alb' : 'aws-nlb',
      who: `the ${group.balancer} of ${getString(group.owner, ['kind']) ?? ''} ${nameOf(group.owner)}`,
      does:
        group.balancer === 'ALB'
          ? `sends it new requests until the controller deregisters it (up to ${AWS_DEREGISTRATION.ALB.max}s), then lets requests in flight run until the delay ends`
          : `opens new connections to it until the controller deregisters it (up to ${AWS_DEREGISTRATION.NLB.max}s in IP mode), then keeps the open ones until the delay ends`,
      setting: `${DEREGISTRATION_DELAY} ${delay}${defaulted(group.deregistrationDelaySet)}`,
      from: 0,
      until: delay,
      sendsFor: AWS_DEREGISTRATION[group.balancer],
    });
  }
  for (const service of loadBalancerServices(neighbours)) {
    parties.push({
      kind: 'load-balancer',
      who: 'an external load balancer',
      does: `takes the pod out of rotation, in the guide's ${EXTERNAL_LOAD_BALANCER.min}-${EXTERNAL_LOAD_BALANCER.max}s for external load balancers`,
      setting: `LoadBalancer Service ${nameOf(service)}`,
      from: 0,
      until: EXTERNAL_LOAD_BALANCER.max,
      sendsFor: EXTERNAL_LOAD_BALANCER,
    });
  }
  for (const service of neighbours.services) {
    for (const { backendConfig } of backendConfigsOf(service, neighbours)) {
      const draining = getNumber(backendConfig, ['spec', 'connectionDraining', 'drainingTimeoutSec']) ?? 0;
      parties.push({
        kind: 'gke-backend-config',
        who: `the GKE load balancer of Service ${nameOf(service)}`,
        does:
          draining > 0
            ? 'lets the requests in flight to the removed endpoint finish'
            : 'drops the requests in flight to the removed endpoint (no connection draining)',
        setting: `BackendConfig ${nameOf(backendConfig)} connectionDraining.drainingTimeoutSec ${draining}`,
        from: 0,
        until: draining,
        sendsFor: undefined,
      });
    }
  }
  if (behindIngressNginx(neighbours)) {
    const idle = upstreamIdleTimeouts(neighbours).find(({ upstream }) => upstream === 'ingress-nginx');
    const noRetry = nextUpstreamSettings(neighbours).find(({ value }) => !retriesOnError(value));
    parties.push({
      kind: 'ingress-nginx',
      who: 'ingress-nginx',
      does: `removes the endpoint at its next sync; ${noRetry ? 'does not retry a refused connection on another pod' : 'retries a refused connection on another pod'}; reuses idle connections to the pod`,
      setting: [
        idle ? `upstream-keepalive-timeout ${t(idle.idleSeconds)}${defaulted(idle.set)}` : undefined,
        `proxy-next-upstream "${noRetry?.value ?? 'error timeout'}"`,
      ]
        .filter(Boolean)
        .join(', '),
      from: 0,
      until: undefined,
      sendsFor: undefined,
    });
  }
  const istio = istioSidecar(workload.template, neighbours.namespace);
  if (istio) {
    parties.push({
      kind: 'istio-proxy',
      who: 'istio-proxy',
      does: istio.exitsOnZeroConnections
        ? 'gets SIGTERM and drains until its last connection ends'
        : 'gets SIGTERM, drains, then exits',
      setting: istio.exitsOnZeroConnections
        ? 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS'
        : `terminationDrainDuration ${t(istio.drainSeconds)}${defaulted(istio.drainSet)}`,
      from: 0,
      until: istio.exitsOnZeroConnections ? undefined : istio.drainSeconds,
      sendsFor: undefined,
    });
  }
  const linkerd = linkerdProxy(workload.template, neighbours.namespace);
  if (linkerd) {
    parties.push({
      kind: 'linkerd-proxy',
      who: 'linkerd-proxy',
      does:
        linkerd.waitSeconds > 0
          ? 'waits, then gets SIGTERM and stops taking connections'
          : 'gets SIGTERM at once and stops taking connections',
      setting: `${LINKERD_WAIT_ANNOTATION} ${linkerd.waitSeconds}${defaulted(linkerd.waitSet)}`,
      from: 0,
      until: linkerd.waitSeconds,
      sendsFor: undefined,
    });
  }
  return parties;
}

/** The preStop range a workload needs, and what decided it: the cluster size, or the slowest party in front. */
export interface PreStopCoverage {
  readonly range: SecondsRange;
  /** What sets the range, as a noun phrase: "a medium cluster", "the ALB of Ingress web (...)". */
  readonly basis: string;
  /** The party that decided it; undefined when the cluster size did. */
  readonly party: FrontParty | undefined;
}

export function clusterCoverage(profile: ClusterProfile): PreStopCoverage {
  return { range: PRESTOP_SLEEP_BY_PROFILE[profile], basis: `a ${profile} cluster`, party: undefined };
}

/**
 * The slowest of the cluster's endpoint propagation and the parties that may still send the pod
 * requests: the highest minimum, then the highest maximum; on a tie the party, which names the cause.
 */
export function preStopCoverage(parties: readonly FrontParty[], profile: ClusterProfile): PreStopCoverage {
  let slowest = clusterCoverage(profile);
  for (const party of parties) {
    const range = party.sendsFor;
    if (range === undefined) continue;
    const slower =
      range.min > slowest.range.min || (range.min === slowest.range.min && range.max >= slowest.range.max);
    if (slower) slowest = { range, basis: `${party.who} (${party.setting})`, party };
  }
  return slowest;
}

/** "10-15s", or "30s" for a single value. */
export function describeRange(range: SecondsRange): string {
  return range.min === range.max ? t(range.min) : `${range.min}-${t(range.max)}`;
}
