/**
 * A probe's result with its thresholds applied, as pkg/kubelet/prober/worker.go doManageProbe does:
 * a result flips only after `successThreshold` (or `failureThreshold`) identical results in a row.
 * Liveness starts as success; readiness as failure and startup as not yet started (worker.go newWorker).
 */

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface ProbeThresholds {
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

export interface ProbeState {
  readonly result: 'success' | 'failure';
  readonly lastObserved: 'success' | 'failure' | undefined;
  readonly run: number;
}

export function initialProbeState(kind: ProbeKind): ProbeState {
  return { result: kind === 'liveness' ? 'success' : 'failure', lastObserved: undefined, run: 0 };
}

export function observeProbe(state: ProbeState, ok: boolean, thresholds: ProbeThresholds): ProbeState {
  const observed = ok ? 'success' : 'failure';
  const run = state.lastObserved === observed ? state.run + 1 : 1;
  const threshold = ok ? thresholds.successThreshold : thresholds.failureThreshold;
  const result = run >= threshold ? observed : state.result;
  return { result, lastObserved: observed, run };
}
