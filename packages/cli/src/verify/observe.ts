/**
 * What the API shows of a termination, as the lab's lifecycle events: pure functions from an
 * object's previous and current state to the events that happened in between. `verify` stamps them
 * with the time it saw the change, on the same clock as its requests.
 *
 * The API shows less than the lab sees: no SIGTERM (the kubelet sends it after preStop, and reports
 * nothing), and container exits only when the kubelet next syncs the status (about a second). Those
 * gaps are filled by `estimateSignals` and named in the report.
 */

import type { ChangeType } from '../kube/reflector.js';
import { getIn, getNumber, getObject, getString, type JsonObject } from '../model/json.js';
import { type LifecycleEvent, WATCH_LAG_ALLOWANCE_MS } from '../recording/records.js';

export type Observed = Omit<LifecycleEvent, 'at'>;

function podName(pod: JsonObject | undefined): string | undefined {
  return getString(pod, ['metadata', 'name']);
}

export function isReady(pod: JsonObject | undefined): boolean {
  const conditions = getIn(pod, ['status', 'conditions']);
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => getString(c, ['type']) === 'Ready' && getString(c, ['status']) === 'True')
  );
}

interface ContainerState {
  readonly name: string;
  readonly restartCount: number;
  readonly running: boolean;
  readonly terminated:
    | { readonly exitCode: number; readonly signal: number | undefined; readonly reason: string | undefined }
    | undefined;
}

function containerStates(pod: JsonObject | undefined): Map<string, ContainerState> {
  const states = new Map<string, ContainerState>();
  const list = getIn(pod, ['status', 'containerStatuses']);
  for (const status of Array.isArray(list) ? list : []) {
    const name = getString(status, ['name']);
    if (name === undefined) continue;
    const terminated = getObject(status, ['state', 'terminated']);
    states.set(name, {
      name,
      restartCount: getNumber(status, ['restartCount']) ?? 0,
      running: getObject(status, ['state', 'running']) !== undefined,
      terminated: terminated
        ? {
            exitCode: getNumber(terminated, ['exitCode']) ?? 0,
            signal: getNumber(terminated, ['signal']),
            reason: getString(terminated, ['reason']),
          }
        : undefined,
    });
  }
  return states;
}

/** Signal names by number on Linux, for exit codes 128 + n. */
const SIGNALS: Record<number, string> = { 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 15: 'SIGTERM' };

export function podEvents(
  type: ChangeType,
  current: JsonObject,
  previous: JsonObject | undefined,
): Observed[] {
  const pod = podName(current);
  if (pod === undefined) return [];
  const events: Observed[] = [];
  if (type === 'ADDED' && !previous) events.push({ type: 'pod-created', pod });
  const wasDeleting = getString(previous, ['metadata', 'deletionTimestamp']) !== undefined;
  const deleting = getString(current, ['metadata', 'deletionTimestamp']) !== undefined;
  if (deleting && !wasDeleting) {
    const grace = getNumber(current, ['metadata', 'deletionGracePeriodSeconds']);
    events.push({
      type: 'terminating',
      pod,
      ...(grace === undefined ? {} : { detail: `grace period ${grace} s` }),
    });
  }
  if (type !== 'DELETED') {
    if (isReady(current) && !isReady(previous)) events.push({ type: 'ready', pod });
    if (!isReady(current) && isReady(previous)) events.push({ type: 'not-ready', pod });
  }
  const before = containerStates(previous);
  for (const state of containerStates(current).values()) {
    const was = before.get(state.name);
    if (was && state.restartCount > was.restartCount && !deleting) {
      events.push({ type: 'container-restart', pod, detail: `${state.name}: restart ${state.restartCount}` });
    }
    if (state.terminated && !was?.terminated) {
      const { exitCode, reason } = state.terminated;
      const signal = state.terminated.signal ?? (exitCode > 128 ? exitCode - 128 : undefined);
      // 137 on a terminating pod is the kubelet's SIGKILL at the end of the grace period.
      if (exitCode === 137 && deleting && reason !== 'OOMKilled') {
        events.push({ type: 'sigkill', pod, detail: `${state.name} exited 137: the grace period ran out` });
      }
      events.push({
        type: 'exit',
        pod,
        exitCode,
        detail: `${state.name}${reason ? ` (${reason})` : ''}`,
        ...(signal !== undefined && SIGNALS[signal] ? { signal: SIGNALS[signal] } : {}),
      });
    }
  }
  if (type === 'DELETED') events.push({ type: 'pod-deleted', pod });
  return events;
}

function sliceReadiness(slice: JsonObject | undefined): Map<string, boolean> {
  const ready = new Map<string, boolean>();
  const endpoints = getIn(slice, ['endpoints']);
  for (const endpoint of Array.isArray(endpoints) ? endpoints : []) {
    const pod = getString(endpoint, ['targetRef', 'name']);
    if (pod === undefined) continue;
    // A nil ready condition means ready (discovery/v1 EndpointConditions).
    ready.set(pod, getIn(endpoint, ['conditions', 'ready']) !== false);
  }
  return ready;
}

/**
 * When each pod left or joined a Service's ready endpoints. `view` names the Service, so the
 * report's per-view removal times read "service/web".
 */
export function sliceEvents(
  type: ChangeType,
  current: JsonObject,
  previous: JsonObject | undefined,
): Observed[] {
  const service = getString(current, ['metadata', 'labels', 'kubernetes.io/service-name']);
  const view = `service/${service ?? getString(current, ['metadata', 'name']) ?? '?'}`;
  const before = sliceReadiness(previous);
  const after = type === 'DELETED' ? new Map<string, boolean>() : sliceReadiness(current);
  const events: Observed[] = [];
  for (const [pod, ready] of after) {
    if (ready && !before.get(pod)) events.push({ type: 'endpoint-added', pod, node: view });
    if (!ready && before.get(pod)) events.push({ type: 'endpoint-removed', pod, node: view });
  }
  for (const [pod, ready] of before) {
    if (ready && !after.has(pod)) events.push({ type: 'endpoint-removed', pod, node: view });
  }
  return events;
}

/** Kubelet events that matter for termination; others are left out. */
export function kubeletEvent(event: JsonObject): Observed | undefined {
  if (getString(event, ['involvedObject', 'kind']) !== 'Pod') return undefined;
  const pod = getString(event, ['involvedObject', 'name']);
  const reason = getString(event, ['reason']);
  const message = getString(event, ['message']) ?? '';
  if (pod === undefined) return undefined;
  if (reason === 'FailedPreStopHook') return { type: 'failed-prestop-hook', pod, detail: message };
  if (reason === 'Unhealthy' && message.startsWith('Liveness'))
    return { type: 'liveness-failed', pod, detail: message };
  return undefined;
}

/**
 * SIGTERM as the kubelet sends it: when preStop ends (a FailedPreStopHook ends it early), or at
 * deletion without a hook. Known only for sleeps; for other hooks it stays unknown and the exit
 * stands in for it. The deletion is seen late by up to the watch allowance, so estimates are
 * uncertain by that much, and never later than the observed exit. Events are returned in time
 * order, the estimated ones marked as such.
 */
export function estimateSignals(
  events: readonly LifecycleEvent[],
  preStopSeconds: number | undefined,
): LifecycleEvent[] {
  if (preStopSeconds === undefined) return [...events];
  const added: LifecycleEvent[] = [];
  for (const terminating of events.filter((e) => e.type === 'terminating')) {
    const pod = terminating.pod;
    if (pod === undefined) continue;
    const mine = events.filter((e) => e.pod === pod && e.at >= terminating.at);
    const failedHook = mine.find((e) => e.type === 'failed-prestop-hook');
    const exit = mine.find((e) => e.type === 'exit');
    let at = terminating.at + preStopSeconds * 1000;
    if (failedHook && failedHook.at < at) at = failedHook.at;
    // The deletion is seen through a watch, late by the watch's delivery; an exit seen just before the
    // estimate followed a SIGTERM that came that much earlier. An exit well before it ended the app
    // on its own, and no SIGTERM reached it.
    if (exit && exit.at < at - WATCH_LAG_ALLOWANCE_MS) continue;
    if (exit && exit.at < at) at = exit.at;
    if (preStopSeconds > 0) {
      added.push({ at: terminating.at, type: 'prestop-start', pod, detail: `sleep ${preStopSeconds} s` });
      added.push({ at, type: 'prestop-end', pod, detail: 'estimated' });
    }
    added.push({
      at,
      type: 'sigterm',
      pod,
      detail:
        preStopSeconds > 0 ? 'estimated: deletion + preStop sleep' : 'estimated: at deletion (no preStop)',
    });
  }
  return [...events, ...added].sort((a, b) => a.at - b.at);
}
