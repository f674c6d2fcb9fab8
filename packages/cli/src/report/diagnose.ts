/**
 * Why each failed request failed, in the guide's terms, from when it was sent relative to its
 * replica's termination and its data plane's view. Pure.
 */
import type { RequestRecord } from '../recording/records.js';
import type { ReplicaLifecycle } from './lifecycle.js';

export type Cause =
  | 'stale-endpoint'
  | 'keepalive-race'
  | 'upstream-keepalive-outlives-app'
  | 'killed-in-flight'
  | 'in-flight-cut'
  | 'no-endpoints'
  | 'timeout'
  | 'app-error'
  | 'unexplained';

export interface DiagnosisInput {
  readonly requests: readonly RequestRecord[];
  readonly replicas: readonly ReplicaLifecycle[];
  /** The preStop the rehearsed workload has, in seconds (0 for none); undefined when unknown. */
  readonly preStopSeconds: number | undefined;
  /** verify: the preStop the cluster's measurements call for, which the advice then quotes. */
  readonly measuredPreStop?: { readonly seconds: number; readonly basis: string };
}

export interface Diagnosis {
  readonly cause: Cause | 'sigterm-not-delivered' | 'sigkill' | 'failed-prestop-hook';
  readonly count: number;
  readonly replicas: readonly string[];
  readonly message: string;
  readonly advice: string;
}

/** Allowance for the few milliseconds between a kernel event and the recorder seeing it. */
const SLACK_MS = 50;

export function causeOf(request: RequestRecord, replicas: ReadonlyMap<string, ReplicaLifecycle>): Cause {
  const errorClass = request.errorClass;
  // A connect that timed out never reached an app: a SYN to a pod that is gone, behind a rule not yet
  // removed (seen on a real kube-proxy). It is judged like a refused connection below.
  const neverConnected = errorClass === 'timeout' && request.error === 'UND_ERR_CONNECT_TIMEOUT';
  if ((errorClass === 'timeout' && !neverConnected) || errorClass === 'proxy-504') return 'timeout';
  if (errorClass === 'http-5xx' || errorClass === 'http-4xx') return 'app-error';
  if (errorClass === 'proxy-503' && request.error === 'no-endpoints') return 'no-endpoints';
  const replica = request.replica === undefined ? undefined : replicas.get(request.replica);
  const keepAliveRace = errorClass === 'eof-reused' || request.error === 'eof-reused';
  if (!replica) return keepAliveRace ? 'keepalive-race' : 'unexplained';
  // Sent well before the end and cut by it: in flight. Sent at the instant of a close: the race.
  const cutBy = (at: number | undefined) =>
    at !== undefined && request.startedAt < at - SLACK_MS && request.endedAt >= at - SLACK_MS;
  if (cutBy(replica.killedAt)) return 'killed-in-flight';
  const stoppedAt = replica.sigtermIgnored ? replica.exitAt : (replica.sigtermAt ?? replica.exitAt);
  if (cutBy(stoppedAt)) return 'in-flight-cut';
  if (keepAliveRace) {
    // Before its termination began, the app closed the connection only because it sat idle longer
    // than the app keeps connections: the proxy's keep-alive outlives the app's.
    const steadyState =
      replica.terminatingAt === undefined || request.startedAt < replica.terminatingAt - SLACK_MS;
    return steadyState ? 'upstream-keepalive-outlives-app' : 'keepalive-race';
  }
  const view = request.plane === 'ingress' ? 'ingress' : request.node;
  const removedAt = view === undefined ? undefined : replica.endpointRemovedAt[view];
  if (
    stoppedAt !== undefined &&
    request.startedAt >= stoppedAt - SLACK_MS &&
    (removedAt === undefined || request.startedAt < removedAt + SLACK_MS)
  ) {
    return 'stale-endpoint';
  }
  return 'unexplained';
}

export function diagnose(input: DiagnosisInput): Diagnosis[] {
  const byName = new Map(input.replicas.map((r) => [r.name, r]));
  const groups = new Map<Cause, RequestRecord[]>();
  for (const request of input.requests) {
    if (request.errorClass === undefined) continue;
    const cause = causeOf(request, byName);
    groups.set(cause, [...(groups.get(cause) ?? []), request]);
  }
  const diagnoses: Diagnosis[] = [];
  const replicasOf = (requests: readonly RequestRecord[]) =>
    [...new Set(requests.flatMap((r) => (r.replica ? [r.replica] : [])))].sort();
  for (const [cause, requests] of groups) {
    diagnoses.push({
      cause,
      count: requests.length,
      replicas: replicasOf(requests),
      ...explain(cause, input),
    });
  }
  // One diagnosis per cause, naming every replica it happened to.
  const unsignalled = input.replicas.filter((r) => r.sigtermIgnored && r.exitCode === 137);
  const killed = input.replicas.filter((r) => r.killedAt !== undefined && !unsignalled.includes(r));
  const failedHooks = input.replicas.filter((r) => r.failedPreStopHook);
  const names = (replicas: readonly ReplicaLifecycle[]) => replicas.map((r) => r.name);
  if (unsignalled.length > 0) {
    diagnoses.push({
      cause: 'sigterm-not-delivered',
      count: unsignalled.length,
      replicas: names(unsignalled),
      message: `SIGTERM never reached the app in ${names(unsignalled).join(', ')}: ${unsignalled[0]?.sigtermIgnored}; it ran until SIGKILL and exited 137`,
      advice:
        'make the app PID 1: exec-form CMD/ENTRYPOINT, `exec` in the entrypoint script, no `sh -c` or npm/yarn wrapper; or run an init (tini, shareProcessNamespace) and give the app a SIGTERM handler',
    });
  }
  if (killed.length > 0) {
    diagnoses.push({
      cause: 'sigkill',
      count: killed.length,
      replicas: names(killed),
      message: `${names(killed).join(', ')} ${killed.length > 1 ? 'were' : 'was'} still running when the grace period ended: SIGKILL, exit 137`,
      advice:
        "either its drain outlasted the grace period (raise terminationGracePeriodSeconds to cover preStop + drain + buffer), or SIGTERM did not make it exit: as PID 1 it needs a handler of its own (Node's built-in one re-raises SIGTERM, which the kernel drops for PID 1)",
    });
  }
  if (failedHooks.length > 0) {
    diagnoses.push({
      cause: 'failed-prestop-hook',
      count: failedHooks.length,
      replicas: names(failedHooks),
      message: `FailedPreStopHook in ${names(failedHooks).join(', ')}: ${failedHooks[0]?.failedPreStopHook}; SIGTERM followed at once`,
      advice: 'use the native sleep action (Kubernetes 1.30+) or a command the image has',
    });
  }
  return diagnoses.sort((a, b) => b.count - a.count);
}

function explain(cause: Cause, input: DiagnosisInput): { message: string; advice: string } {
  switch (cause) {
    case 'stale-endpoint': {
      const current = input.preStopSeconds === undefined ? '' : ` (preStop now: ${input.preStopSeconds} s)`;
      return {
        message: `new connections reached replicas that had already stopped listening, before the data plane removed them: the app closed before endpoint propagation finished${current}`,
        advice: preStopAdvice(input)?.text ?? 'add a preStop sleep longer than endpoint propagation',
      };
    }
    case 'keepalive-race': {
      // Routing that has let go of a replica sends nothing more on its kept-alive connections, so a
      // preStop shorter than propagation is part of this race too.
      const preStop = preStopAdvice(input);
      const short = preStop !== undefined && (input.preStopSeconds ?? 0) < preStop.seconds;
      return {
        message: 'a kept-alive connection was closed by the app just as a request went out on it',
        advice: `on SIGTERM, close idle keep-alive connections and answer in-flight requests with \`Connection: close\` (the lameduck library does both); keep the app idle timeout above the proxy's${short ? `; and ${preStop.text}` : ''}`,
      };
    }
    case 'upstream-keepalive-outlives-app':
      return {
        message:
          'before any termination, the app closed an idle kept-alive connection just as the proxy sent a request on it: the proxy keeps idle upstream connections longer than the app does (nginx does not retry a POST that went out on a reused connection)',
        advice:
          "raise the app's keep-alive timeout above the proxy's upstream keep-alive (ingress-nginx upstream-keepalive-timeout and the ALB idle timeout: 60 s by default); for Node, @lameduck/node's upstreamIdleTimeoutMs option or LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS does it; or lower the proxy's",
      };
    case 'killed-in-flight':
      return {
        message: 'requests were in flight when SIGKILL ended the replica',
        advice:
          'raise terminationGracePeriodSeconds above preStop + drain + buffer, or bound the drain below the time left after preStop',
      };
    case 'in-flight-cut':
      return {
        message: 'the app exited or destroyed connections while requests on them were still being served',
        advice:
          "on SIGTERM, stop accepting, close only idle connections, and exit after in-flight requests finish (the guide's snippet destroys every socket, busy ones included)",
      };
    case 'no-endpoints':
      return {
        message: 'the proxy had no ready endpoint at all',
        advice:
          'keep maxUnavailable at 0 with maxSurge 1 or more, run 2+ replicas, and avoid Recreate for serving workloads',
      };
    case 'timeout':
      return {
        message: 'requests timed out',
        advice: 'check for requests stuck on a replica that stopped reading',
      };
    case 'app-error':
      return { message: 'the app answered with an error status', advice: "see the app's own logs" };
    case 'unexplained':
      return {
        message: "failures the lab could not tie to a replica's termination",
        advice: 'inspect the per-request records (--format json) around the failure window',
      };
  }
}

/** The preStop the measurements (verify) or the slowest data plane (lab) call for, with its basis. */
function preStopAdvice(input: DiagnosisInput): { seconds: number; text: string } | undefined {
  if (input.measuredPreStop) {
    const { seconds, basis } = input.measuredPreStop;
    return { seconds, text: `add or lengthen the preStop sleep to at least ${seconds} s: ${basis}` };
  }
  const slowest = slowestPropagationSeconds(input.replicas);
  if (slowest === undefined) return undefined;
  const seconds = Math.ceil(slowest) + 2;
  return {
    seconds,
    text: `add or lengthen the preStop sleep to at least ${seconds} s: the slowest data plane here took ${slowest.toFixed(1)} s to stop routing to a terminating replica`,
  };
}

/** The longest time, over replicas and data planes, from termination to removal from routing. */
export function slowestPropagationSeconds(replicas: readonly ReplicaLifecycle[]): number | undefined {
  let slowest: number | undefined;
  for (const replica of replicas) {
    if (replica.terminatingAt === undefined) continue;
    for (const at of Object.values(replica.endpointRemovedAt)) {
      const seconds = (at - replica.terminatingAt) / 1000;
      slowest = slowest === undefined ? seconds : Math.max(slowest, seconds);
    }
  }
  return slowest;
}
