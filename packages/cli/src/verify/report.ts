/**
 * A verify run as the lab's report: SIGTERM estimated from the preStop sleep, failures pinned to
 * the pod terminating at the time, then the shared report plus what only a cluster can measure.
 * Pure.
 */
import { getIn, getNumber, getString, type JsonObject } from '../model/json.js';
import { classifyPreStop, preStopSleepSeconds } from '../model/prestop.js';
import { describeHook } from '../model/recommendations.js';
import type { Recording } from '../recording/records.js';
import { buildReport, type Report } from '../report/build.js';
import { replicaLifecycles } from '../report/lifecycle.js';
import { attributeByTime, measure } from '../report/measure.js';
import type { Threshold } from '../report/thresholds.js';
import { estimateSignals } from './observe.js';
import type { Target } from './run.js';

/** What verify ran against, beyond what the target (the workload as read) says. */
export interface VerifySetup {
  readonly target: Target;
  /** deployment/web (namespace), for the report's title. */
  readonly workload: string;
  readonly url: string;
  readonly load: string;
  readonly keepAlive: boolean;
}

/** The container whose termination is rehearsed: the first one, as in `lab`. */
function firstContainer(podTemplate: JsonObject): JsonObject {
  const containers = getIn(podTemplate, ['spec', 'containers']);
  const first: unknown = Array.isArray(containers) ? containers[0] : undefined;
  return (first ?? {}) as JsonObject;
}

export function verifyReport(recording: Recording, setup: VerifySetup, failOn: readonly Threshold[]): Report {
  const { podTemplate, services } = setup.target;
  const hook = classifyPreStop(firstContainer(podTemplate));
  const preStopSeconds = preStopSleepSeconds(hook);
  const events = estimateSignals(recording.events, preStopSeconds);
  const replicas = replicaLifecycles(events);
  const requests = attributeByTime(recording.requests, replicas);
  return buildReport(
    { ...recording, events, requests },
    {
      source: 'verify',
      workload: setup.workload,
      scenario: 'rolling restart',
      replicas: desiredReplicas(setup.target.workload),
      graceSeconds: getNumber(podTemplate, ['spec', 'terminationGracePeriodSeconds']) ?? 30,
      preStop: describeHook(hook),
      preStopSeconds,
      planes: [setup.url, ...services.map((s) => `service/${s}`)],
      load: setup.load,
      keepAlive: setup.keepAlive,
    },
    failOn,
    measure(replicas, requests, preStopSeconds),
  );
}

/** Replicas as the workload asks for them (DaemonSets: as scheduled). */
function desiredReplicas(workload: JsonObject): number {
  return (
    getNumber(workload, ['spec', 'replicas']) ??
    getNumber(workload, ['status', 'desiredNumberScheduled']) ??
    (getString(workload, ['kind']) === 'DaemonSet' ? 0 : 1)
  );
}
