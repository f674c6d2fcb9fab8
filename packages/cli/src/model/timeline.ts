/**
 * The two tracks of a pod deletion as events on one clock, in the guide's form: Track B (routing)
 * starts at t=0 alongside Track A (the kubelet's preStop, SIGTERM and SIGKILL).
 */
import type { TerminationBudget } from './budget.js';
import type { PreStopHook } from './prestop.js';

export type TimelineEvent =
  | { readonly at: 0; readonly kind: 'terminating' }
  | { readonly at: 0; readonly kind: 'prestop-start'; readonly hook: PreStopHook }
  | { readonly at: number; readonly kind: 'prestop-end'; readonly cut: boolean }
  | {
      readonly at: number;
      readonly kind: 'sigterm';
      readonly afterPreStop: boolean;
      readonly preStopCut: boolean;
      readonly floorApplied: boolean;
    }
  | { readonly at: number; readonly kind: 'drain-start' }
  | { readonly at: number; readonly kind: 'exit'; readonly drainSeconds: number; readonly killed: boolean }
  | { readonly at: number; readonly kind: 'sigkill'; readonly reached: boolean; readonly cutSeconds: number };

/** Events in time order; events of unknown time are left out (the budget says why). */
export function timeline(budget: TerminationBudget): TimelineEvent[] {
  const events: TimelineEvent[] = [{ at: 0, kind: 'terminating' }];
  const hookRuns = budget.preStop.kind !== 'none' && budget.preStopEffect.outcome !== 'rejected';
  // A sleep the kubelet skips (gate off) never starts; a failing hook does start.
  if (hookRuns && budget.preStopEffect.outcome !== 'ignored') {
    events.push({ at: 0, kind: 'prestop-start', hook: budget.preStop });
  }
  const { sigtermAt, sigkillAt, exitAt, drainSeconds } = budget;
  if (sigtermAt === undefined || sigkillAt === undefined) return events;
  const preStopEnd = hookRuns ? Math.min(budget.preStopEffect.seconds ?? 0, budget.graceSeconds) : 0;
  if (hookRuns && preStopEnd < sigtermAt) {
    // Only a native sidecar waits between its preStop and its SIGTERM (for the main containers).
    events.push({ at: preStopEnd, kind: 'prestop-end', cut: budget.preStopCut });
  }
  events.push({
    at: sigtermAt,
    kind: 'sigterm',
    afterPreStop: hookRuns && preStopEnd === sigtermAt,
    preStopCut: budget.preStopCut,
    floorApplied: budget.floorApplied,
  });
  // A shell or package manager as PID 1 swallows SIGTERM: the app never starts draining.
  if (budget.sigtermLost === undefined) events.push({ at: sigtermAt, kind: 'drain-start' });
  const killed = exitAt !== undefined && exitAt > sigkillAt;
  if (budget.sigtermLost === undefined && exitAt !== undefined && drainSeconds !== undefined) {
    events.push({ at: exitAt, kind: 'exit', drainSeconds, killed });
  }
  events.push({
    at: sigkillAt,
    kind: 'sigkill',
    reached: budget.sigtermLost !== undefined || exitAt === undefined || killed,
    cutSeconds: killed ? exitAt - sigkillAt : 0,
  });
  // Stable sort keeps the causal order of events at the same instant.
  return events.sort((a, b) => a.at - b.at);
}
