/**
 * The values to use: the preStop sleep and grace period from the guide's tables (guide-tables.ts)
 * and formula, a rolling update that never removes a pod before its replacement is ready, and a
 * readiness probe on the serving port. Each recommendation either keeps what the
 * manifest has, proposes a Change, or asks for a human review when lameduck cannot know.
 */
import type { WorkloadAnalysis } from './analyze.js';
import type { Change, ContainerRef } from './changes.js';
import { type ClusterProfile, GRACE_BY_WORKLOAD, WORKLOAD_LABELS } from './guide-tables.js';
import { getIn, getNumber, getObject, getString, isObject, type JsonObject } from './json.js';
import { FEATURES, type KubeVersion } from './kube-version.js';
import { clusterCoverage, describeRange, type PreStopCoverage } from './parties.js';
import { describeHandler, describeHook, type PreStopHook, sleepHandler } from './prestop.js';
import { containerProtocol, dataKeeperOf, nonHttpProbe } from './protocols.js';
import { resolveRollingUpdate } from './rolling-update.js';
import { type ContainerView, containerPorts } from './workloads.js';

export interface RecommendOptions {
  readonly profile: ClusterProfile;
  readonly kubeVersion: KubeVersion;
  readonly bufferSeconds: number;
  /**
   * Bring a sleep longer than the range down to its top. `plan` keeps a longer sleep (nothing is
   * lost); `fix` lowers it when the user asks it to fix the out-of-range finding.
   */
  readonly lowerLongSleeps?: boolean;
  /** The preStop range and what decided it (model/parties.ts); the cluster size's when not given. */
  readonly preStopCoverage?: PreStopCoverage | undefined;
}

export type RecommendationId = 'command' | 'prestop' | 'grace-period' | 'rolling-update' | 'readiness-probe';

export interface Recommendation {
  readonly id: RecommendationId;
  readonly container?: string;
  /** keep: already right; change: a Change below fixes it; review: lameduck cannot decide. */
  readonly action: 'keep' | 'change' | 'review';
  readonly current: string;
  readonly recommended: string;
  readonly reason: string;
}

export interface RecommendationSet {
  readonly recommendations: Recommendation[];
  readonly changes: Change[];
}

export function recommend(
  analysis: WorkloadAnalysis,
  object: JsonObject,
  options: RecommendOptions,
): RecommendationSet {
  const recommendations: Recommendation[] = [];
  const changes: Change[] = [];
  const add = (recommendation: Recommendation, change?: Change) => {
    recommendations.push(recommendation);
    if (change) changes.push(change);
  };
  const batch = analysis.workloadType === 'batch';
  const mains = analysis.containers.filter((c) => c.container.role === 'main');
  const serving = mains.filter((c) => containerPorts(c.container.spec).length > 0);

  // No grace period helps an app that never receives SIGTERM; only its command can be fixed, by hand.
  for (const { container, sigterm } of mains) {
    if (sigterm.reaches) continue;
    const argv = [container.spec.command, container.spec.args].flatMap((v) => (Array.isArray(v) ? v : []));
    add({
      id: 'command',
      container: container.name,
      action: 'review',
      current: JSON.stringify(argv),
      recommended: 'the app as PID 1: exec form, exec before the last command, or tini',
      reason: sigterm.reason,
    });
  }

  // preStop, per serving container: only traffic needs the propagation delay.
  const preStopAfter = new Map<string, number | undefined>();
  for (const { container, budget } of mains) {
    const wanted = serving.some((s) => s.container === container) && !batch;
    const result = wanted
      ? recommendPreStop(container, budget.preStop, budget.preStopEffect.outcome, options)
      : undefined;
    if (result) add(result.recommendation, result.change);
    preStopAfter.set(container.name, result ? result.seconds : budget.preStopEffect.seconds);
  }

  add(...recommendGrace(analysis, preStopAfter, options));

  if (serving.length > 0 && !batch) {
    const rollout = recommendRollingUpdate(analysis, object);
    if (rollout) add(rollout.recommendation, rollout.change);
    for (const { container } of serving) {
      const probe = recommendReadinessProbe(container);
      add(probe.recommendation, probe.change);
    }
  }
  return { recommendations, changes };
}

/** The grace period the recommendations leave the pod with: the one they write, or the one it keeps. */
export function recommendedGraceSeconds(
  analysis: WorkloadAnalysis,
  set: RecommendationSet,
): number | undefined {
  const written = set.changes.find((change) => change.kind === 'grace');
  return written?.kind === 'grace' ? written.seconds : analysis.containers[0]?.budget.graceSeconds;
}

function refOf(container: ContainerView): ContainerRef {
  return { name: container.name, list: container.list, index: container.index };
}

function recommendPreStop(
  container: ContainerView,
  hook: PreStopHook,
  outcome: 'runs' | 'rejected' | 'ignored' | 'fails',
  options: RecommendOptions,
): { recommendation: Recommendation; change?: Change; seconds: number | undefined } {
  const coverage = options.preStopCoverage ?? clusterCoverage(options.profile);
  const range = coverage.range;
  const needed = `the ${describeRange(range)} ${coverage.basis} needs`;
  const rangeText = `${coverage.basis} needs ${describeRange(range)}`;
  const base = { id: 'prestop' as const, container: container.name, current: describeHook(hook) };
  if (hook.kind === 'exec' && hook.wait !== undefined && outcome === 'runs') {
    // A command that waits and then stops the app itself: keep it, or lengthen its wait.
    const enough = hook.wait.seconds >= range.min;
    return {
      seconds: hook.wait.seconds,
      recommendation: {
        ...base,
        action: enough ? 'keep' : 'review',
        recommended: enough ? base.current : `${hook.wait.option} of at least ${range.min}s`,
        reason: enough ? rangeText : `its ${hook.wait.seconds}s wait is shorter than ${needed}`,
      },
    };
  }
  if (hook.kind === 'exec' || hook.kind === 'httpGet') {
    return {
      seconds: undefined,
      recommendation: {
        ...base,
        action: 'review',
        recommended: `a hook that waits at least ${range.min}s`,
        reason: `lameduck cannot tell how long this hook takes; it must keep the app serving for the endpoint propagation delay (${rangeText})`,
      },
    };
  }
  const currentSeconds = hook.kind === 'sleep' || hook.kind === 'exec-sleep' ? hook.seconds : undefined;
  const seconds =
    currentSeconds === undefined || currentSeconds < range.min
      ? range.max
      : options.lowerLongSleeps
        ? Math.min(currentSeconds, range.max)
        : currentSeconds;
  const handler = sleepHandler(seconds, options.kubeVersion);
  const nativeWanted = 'sleep' in handler;
  const alreadyRight =
    outcome === 'runs' && currentSeconds === seconds && (hook.kind === 'sleep') === nativeWanted;
  if (alreadyRight) {
    return {
      seconds,
      recommendation: {
        ...base,
        action: 'keep',
        recommended: base.current,
        reason:
          seconds > range.max ? `longer than ${needed}; rollouts take longer but nothing is lost` : rangeText,
      },
    };
  }
  const reason =
    hook.kind === 'none'
      ? `no preStop: SIGTERM arrives while routing still sends traffic; ${rangeText}`
      : outcome !== 'runs'
        ? `the current hook does not delay SIGTERM on Kubernetes ${options.kubeVersion.major}.${options.kubeVersion.minor}`
        : currentSeconds !== undefined && currentSeconds < range.min
          ? `${currentSeconds}s is shorter than ${needed}`
          : currentSeconds !== undefined && currentSeconds > seconds
            ? `${currentSeconds}s is longer than ${needed}: every rollout step waits longer`
            : nativeWanted
              ? 'the native sleep action needs no sleep binary or shell in the image (Kubernetes 1.30+)'
              : `the native sleep action is not on by default before Kubernetes ${FEATURES.sleepAction.beta}`;
  return {
    seconds,
    change: { kind: 'prestop', container: refOf(container), handler },
    recommendation: { ...base, action: 'change', recommended: describeHandler(handler), reason },
  };
}

function recommendGrace(
  analysis: WorkloadAnalysis,
  preStopAfter: Map<string, number | undefined>,
  options: RecommendOptions,
): [Recommendation, Change?] {
  const range = GRACE_BY_WORKLOAD[analysis.workloadType];
  const current = analysis.containers[0]?.budget.graceSeconds ?? 0;
  const currentText = `${current}s${analysis.specGraceSeconds === undefined ? ' (default)' : ''}`;
  const tableText = `${WORKLOAD_LABELS[analysis.workloadType]}: ${range.min}-${range.max}s`;
  const mains = analysis.containers.filter((c) => c.container.role === 'main');
  const longestPreStop = Math.max(0, ...mains.map((m) => preStopAfter.get(m.container.name) ?? 0));
  const drains = mains.map((m) => m.budget.drainSeconds);
  const known = drains.every((d) => d !== undefined);

  let wanted: number;
  let reason: string;
  if (known) {
    const required = Math.max(
      ...mains.map(
        (m) =>
          (preStopAfter.get(m.container.name) ?? 0) + (m.budget.drainSeconds ?? 0) + options.bufferSeconds,
      ),
    );
    wanted = Math.max(required, range.min);
    const parts =
      mains.length === 1
        ? `${longestPreStop} + ${drains[0]} + ${options.bufferSeconds} = ${required}s`
        : `${required}s`;
    reason = `preStop + drain + buffer = ${parts}; ${tableText}`;
    if (current >= wanted) wanted = current;
  } else {
    const enough = current >= range.min && current >= longestPreStop + options.bufferSeconds;
    wanted = enough ? current : Math.max(range.max, longestPreStop + options.bufferSeconds);
    reason = `${tableText}; leaves the app ${wanted - longestPreStop - options.bufferSeconds}s to drain after a ${longestPreStop}s preStop and ${options.bufferSeconds}s buffer (drain unknown: pass --drain or annotate the pod template)`;
  }
  const recommendation: Recommendation = {
    id: 'grace-period',
    action: wanted === current ? 'keep' : 'change',
    current: currentText,
    recommended: `${wanted}s`,
    reason,
  };
  return wanted === current ? [recommendation] : [recommendation, { kind: 'grace', seconds: wanted }];
}

function recommendRollingUpdate(
  analysis: WorkloadAnalysis,
  object: JsonObject,
): { recommendation: Recommendation; change?: Change } | undefined {
  const replicas = getNumber(object, ['spec', 'replicas']) ?? 1;
  let fields: JsonObject | undefined;
  let setType = false;
  if (analysis.kind === 'Deployment') {
    const type = getString(object, ['spec', 'strategy', 'type']) ?? 'RollingUpdate';
    setType = type !== 'RollingUpdate';
    fields = setType ? {} : (getObject(object, ['spec', 'strategy', 'rollingUpdate']) ?? {});
  } else if (analysis.kind === 'Rollout' && isObject(getIn(object, ['spec', 'strategy', 'canary']))) {
    fields = getObject(object, ['spec', 'strategy', 'canary']) ?? {};
  } else {
    return undefined;
  }
  const { surge, unavailable } = resolveRollingUpdate(fields.maxSurge, fields.maxUnavailable, replicas);
  const current = setType
    ? 'Recreate'
    : `maxUnavailable ${String(fields.maxUnavailable ?? '25%')} (${unavailable} of ${replicas}), maxSurge ${String(fields.maxSurge ?? '25%')} (${surge})`;
  if (!setType && unavailable === 0) {
    return {
      recommendation: {
        id: 'rolling-update',
        action: 'keep',
        current,
        recommended: current,
        reason: 'no pod is removed before its replacement is ready',
      },
    };
  }
  // One data store: a surge would run a second copy on the same data (or wait for its volume), so
  // no rolling update covers its restart; Recreate is how it rolls, and the outage is the restart's.
  const store = dataKeeperOf(analysis.containers);
  if (replicas === 1 && store !== undefined)
    return {
      recommendation: {
        id: 'rolling-update',
        // A change of strategy type to Recreate is the owner's to make: fix writes none.
        action: setType ? 'keep' : 'review',
        current,
        recommended: 'Recreate',
        reason: `one ${store}: a surge pod would be a second copy on the same data, so no rolling update covers its restart`,
      },
    };
  const newSurge = setType || surge === 0 ? 1 : undefined;
  return {
    change: { kind: 'rolling-update', maxUnavailable: 0, maxSurge: newSurge, setType },
    recommendation: {
      id: 'rolling-update',
      action: 'change',
      current,
      recommended: `maxUnavailable 0, maxSurge ${newSurge ?? `${String(fields.maxSurge ?? '25%')} (${surge})`}`,
      reason: setType
        ? 'Recreate stops every pod before new ones start: each rollout is an outage'
        : `up to ${unavailable} pod(s) may be removed before a replacement is ready`,
    },
  };
}

function recommendReadinessProbe(container: ContainerView): {
  recommendation: Recommendation;
  change?: Change;
} {
  const ports = containerPorts(container.spec);
  const probe = getObject(container.spec, ['readinessProbe']);
  const base = { id: 'readiness-probe' as const, container: container.name };
  const first = ports[0];
  const protocol = containerProtocol(container.spec);
  // A database or broker is not given an HTTP probe: what to check is for a person to say.
  if (protocol.kind === 'other' && (!probe || isObject(probe.tcpSocket))) {
    return {
      recommendation: {
        ...base,
        action: probe ? 'keep' : 'review',
        current: probe ? `tcpSocket on port ${String(getIn(probe, ['tcpSocket', 'port']))}` : 'none',
        recommended: nonHttpProbe(protocol),
        reason: probe
          ? `a TCP check is what a ${protocol.server} server offers`
          : `without a readiness probe a new ${protocol.server} pod takes connections before it can serve`,
      },
    };
  }
  if (!probe) {
    const port = first?.port ?? 8080;
    const added = { httpGet: { path: '/healthz/ready', port }, periodSeconds: 5, failureThreshold: 2 };
    return {
      change: { kind: 'readiness-probe', container: refOf(container), probe: added },
      recommendation: {
        ...base,
        action: 'change',
        current: 'none',
        recommended: `httpGet /healthz/ready on port ${port}`,
        reason:
          'without a readiness probe a new pod takes traffic before it can serve, and a draining pod cannot report it; adjust the path to your readiness endpoint',
      },
    };
  }
  const probePort =
    getIn(probe, ['httpGet', 'port']) ??
    getIn(probe, ['tcpSocket', 'port']) ??
    getIn(probe, ['grpc', 'port']);
  const kindText = isObject(probe.httpGet)
    ? 'httpGet'
    : isObject(probe.tcpSocket)
      ? 'tcpSocket'
      : isObject(probe.grpc)
        ? 'grpc'
        : 'exec';
  const current = probePort === undefined ? kindText : `${kindText} on port ${String(probePort)}`;
  const onServingPort =
    probePort === undefined || ports.some((p) => p.port === probePort || p.name === probePort);
  if (!onServingPort) {
    return {
      recommendation: {
        ...base,
        action: 'review',
        current,
        recommended: `a probe on a serving port (${ports.map((p) => p.name ?? p.port).join(', ')})`,
        reason: 'the probe checks a port that does not serve traffic, so it cannot tell whether the app can',
      },
    };
  }
  if (kindText === 'tcpSocket') {
    return {
      recommendation: {
        ...base,
        action: 'review',
        current,
        recommended: 'an httpGet probe that answers 503 from SIGTERM on',
        reason: 'a TCP probe passes while the listener is open, so the app cannot report that it is draining',
      },
    };
  }
  return {
    recommendation: {
      ...base,
      action: 'keep',
      current,
      recommended: current,
      reason: 'probes the serving port',
    },
  };
}
