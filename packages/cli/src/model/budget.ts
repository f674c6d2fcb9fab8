/**
 * The termination budget of one container: when SIGTERM and SIGKILL arrive, and whether the app's
 * drain fits between them. This is the kubelet's own arithmetic (kubernetes/kubernetes
 * pkg/kubelet/kuberuntime/kuberuntime_container.go, killContainer):
 *
 *   grace := effective grace period
 *   if preStop && grace > 0 { grace -= whole seconds spent in preStop (the hook gets at most grace) }
 *   if sidecar ordering && grace > 0 { grace -= whole seconds spent waiting for main containers }
 *   if grace < 2 { grace = 2 }                      // minimumGracePeriodInSeconds
 *   StopContainer(grace)                            // SIGTERM now, SIGKILL after grace
 */
import { effectiveGraceSeconds } from './grace.js';
import type { PreStopEffect, PreStopHook } from './prestop.js';

/** kuberuntime_manager.go minimumGracePeriodInSeconds: "A minimal shutdown window for avoiding unnecessary SIGKILLs". */
export const MINIMUM_STOP_WINDOW_SECONDS = 2;
/** The guide's safety buffer in grace >= preStop + drain + buffer. */
export const DEFAULT_BUFFER_SECONDS = 10;

export interface StopScheduleInput {
  /** terminationGracePeriodSeconds as written (undefined when unset). */
  readonly specGraceSeconds: number | undefined;
  readonly hasPreStop: boolean;
  /** Seconds the hook takes; undefined when not knowable from the manifest. */
  readonly preStopSeconds: number | undefined;
  /** Native sidecars wait until this time (the last main container's exit) before their SIGTERM. */
  readonly waitUntil?: number | undefined;
  readonly waitsForTurn?: boolean;
}

export interface StopSchedule {
  /** The grace period the kubelet counts down, from the start of preStop. */
  readonly graceSeconds: number;
  readonly graceSource: 'spec' | 'default';
  /** The hook ran past the grace period and was abandoned there. */
  readonly preStopCut: boolean;
  readonly sigtermAt: number | undefined;
  readonly sigkillAt: number | undefined;
  /** SIGKILL was pushed out to 2 s after SIGTERM because preStop (or the wait) used up the grace period. */
  readonly floorApplied: boolean;
}

/**
 * Seconds from SIGTERM to SIGKILL once the hook (and a sidecar's wait) used `spentSeconds` of the grace
 * period: each is truncated to whole seconds, and the window never drops below the 2 s floor. The lab's
 * kubelet calls this with the times it measured.
 */
export function stopWindowSeconds(graceSeconds: number, ...spentSeconds: number[]): number {
  const remaining = spentSeconds.reduce((left, spent) => left - Math.trunc(spent), graceSeconds);
  return Math.max(remaining, MINIMUM_STOP_WINDOW_SECONDS);
}

export function stopSchedule(input: StopScheduleInput): StopSchedule {
  const graceSeconds = effectiveGraceSeconds(input.specGraceSeconds);
  const base = {
    graceSeconds,
    graceSource: input.specGraceSeconds === undefined ? ('default' as const) : ('spec' as const),
  };
  const spent: number[] = [];
  const remaining = () => spent.reduce((left, s) => left - Math.trunc(s), graceSeconds);
  let preStopCut = false;
  if (input.hasPreStop && remaining() > 0) {
    if (input.preStopSeconds === undefined) {
      return { ...base, preStopCut: false, sigtermAt: undefined, sigkillAt: undefined, floorApplied: false };
    }
    preStopCut = input.preStopSeconds > remaining();
    spent.push(Math.min(input.preStopSeconds, remaining()));
  }
  if (input.waitsForTurn && remaining() > 0) {
    if (input.waitUntil === undefined) {
      return { ...base, preStopCut, sigtermAt: undefined, sigkillAt: undefined, floorApplied: false };
    }
    const elapsed = spent.reduce((a, b) => a + b, 0);
    spent.push(Math.min(Math.max(input.waitUntil - elapsed, 0), remaining()));
  }
  const sigtermAt = spent.reduce((a, b) => a + b, 0);
  const window = stopWindowSeconds(graceSeconds, ...spent);
  const floorApplied = remaining() < MINIMUM_STOP_WINDOW_SECONDS;
  return { ...base, preStopCut, sigtermAt, sigkillAt: sigtermAt + window, floorApplied };
}

export type DrainSource = 'flag' | 'annotation' | 'unknown';
/** `unreached`: SIGTERM never reaches the app (a shell or package manager is PID 1), so SIGKILL ends it. */
export type Verdict = 'ok' | 'tight' | 'cut' | 'unreached' | 'unknown' | 'invalid';

export interface TerminationBudget extends StopSchedule {
  readonly preStop: PreStopHook;
  readonly preStopEffect: PreStopEffect;
  readonly drainSeconds: number | undefined;
  readonly drainSource: DrainSource;
  readonly bufferSeconds: number;
  /** Why SIGTERM never reaches the app (a shell or package manager as PID 1); undefined when it does. */
  readonly sigtermLost: string | undefined;
  /** When the app would exit if nothing killed it: SIGTERM + drain; SIGKILL when SIGTERM never reaches it. */
  readonly exitAt: number | undefined;
  /** SIGKILL minus exit: negative when SIGKILL cuts the drain. */
  readonly slackSeconds: number | undefined;
  /** Time between SIGTERM and SIGKILL: the most the app can spend draining. */
  readonly drainWindowSeconds: number | undefined;
  /** The guide's formula: preStop + drain + buffer. */
  readonly minimumGraceSeconds: number | undefined;
  readonly verdict: Verdict;
}

export interface BudgetInput {
  readonly specGraceSeconds: number | undefined;
  readonly preStop: PreStopHook;
  readonly preStopEffect: PreStopEffect;
  readonly drainSeconds: number | undefined;
  readonly drainSource: DrainSource;
  readonly bufferSeconds: number;
  readonly waitsForTurn?: boolean;
  readonly waitUntil?: number | undefined;
  readonly sigtermLost?: string | undefined;
}

export function terminationBudget(input: BudgetInput): TerminationBudget {
  const { preStopEffect: effect } = input;
  const schedule = stopSchedule({
    specGraceSeconds: input.specGraceSeconds,
    // A hook that fails or is skipped still returns at once; a rejected one never reaches the kubelet.
    hasPreStop: input.preStop.kind !== 'none' && effect.outcome !== 'rejected',
    preStopSeconds: effect.seconds,
    waitsForTurn: input.waitsForTurn ?? false,
    waitUntil: input.waitUntil,
  });
  const { sigtermAt, sigkillAt } = schedule;
  const drain = input.drainSeconds;
  const reaches = input.sigtermLost === undefined;
  const exitAt = !reaches
    ? sigkillAt
    : sigtermAt !== undefined && drain !== undefined
      ? sigtermAt + drain
      : undefined;
  const slackSeconds =
    reaches && exitAt !== undefined && sigkillAt !== undefined ? sigkillAt - exitAt : undefined;
  const drainWindowSeconds =
    sigtermAt !== undefined && sigkillAt !== undefined ? sigkillAt - sigtermAt : undefined;
  const minimumGraceSeconds =
    effect.seconds !== undefined && drain !== undefined
      ? effect.seconds + drain + input.bufferSeconds
      : undefined;
  return {
    ...schedule,
    preStop: input.preStop,
    preStopEffect: effect,
    sigtermLost: input.sigtermLost,
    drainSeconds: drain,
    drainSource: input.drainSource,
    bufferSeconds: input.bufferSeconds,
    exitAt,
    slackSeconds,
    drainWindowSeconds,
    minimumGraceSeconds,
    verdict: verdictOf(effect, reaches, slackSeconds, input.bufferSeconds),
  };
}

function verdictOf(
  effect: PreStopEffect,
  sigtermReachesApp: boolean,
  slack: number | undefined,
  buffer: number,
): Verdict {
  if (effect.outcome === 'rejected') return 'invalid';
  if (!sigtermReachesApp) return 'unreached';
  if (slack === undefined) return 'unknown';
  if (slack < 0) return 'cut';
  if (slack < buffer) return 'tight';
  return 'ok';
}
