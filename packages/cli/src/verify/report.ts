/**
 * A verify run as the lab's report: SIGTERM estimated from the preStop sleep, failures pinned to
 * the pod terminating at the time, then the shared report plus what only a cluster can measure.
 * Pure.
 */
import { analyzeObject } from '../model/analyze.js';
import { effectiveGraceSeconds } from '../model/grace.js';
import { getNumber, getString, type JsonObject } from '../model/json.js';
import { describeHook, type PreStopHook, preStopSleepSeconds } from '../model/prestop.js';
import type { Recording } from '../recording/records.js';
import { attributeRequests } from '../report/attribution.js';
import { buildReport, type Report } from '../report/build.js';
import { replicaLifecycles } from '../report/lifecycle.js';
import { measure } from '../report/measure.js';
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

export function verifyReport(recording: Recording, setup: VerifySetup, failOn: readonly Threshold[]): Report {
  const { workload, services } = setup.target;
  // The container whose termination is measured: the first main one, as in `lab`.
  const analysis = analyzeObject(workload);
  const graceSeconds = 'problem' in analysis ? effectiveGraceSeconds(undefined) : analysis.graceSeconds;
  const hook: PreStopHook = ('problem' in analysis ? undefined : analysis.containers[0]?.budget.preStop) ?? {
    kind: 'none',
  };
  const preStopSeconds = preStopSleepSeconds(hook);
  const events = estimateSignals(recording.events, preStopSeconds);
  const replicas = replicaLifecycles(events);
  const requests = attributeRequests(recording.requests, { replicas });
  return buildReport(
    { ...recording, events, requests },
    {
      source: 'verify',
      workload: setup.workload,
      scenario: 'rolling restart',
      replicas: desiredReplicas(setup.target.workload),
      graceSeconds,
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
