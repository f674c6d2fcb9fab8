/**
 * The plan as data: one object per workload/container. The shape is documented in docs/plan-json.md
 * and versioned by schemaVersion; unknown values are null, never missing.
 */
import { formatKubeVersion } from '../model/kube-version.js';
import type { PlanOptions, WorkloadPlan } from './build.js';

export const PLAN_SCHEMA_VERSION = 1;

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

export function planJson(plans: readonly WorkloadPlan[], options: PlanOptions): object {
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    assumptions: {
      kubeVersion: formatKubeVersion(options.kubeVersion),
      kubeVersionAssumed: options.kubeVersionAssumed,
      clusterProfile: options.profile,
      clusterProfileSource: options.profileSource,
      nodes: orNull(options.nodes),
      bufferSeconds: options.bufferSeconds,
    },
    plans: plans.flatMap((plan) =>
      plan.analysis.containers.map(({ container, budget, timeline }) => ({
        file: plan.file,
        line: plan.position.line,
        column: plan.position.column,
        object: { kind: plan.kind, name: plan.name, namespace: orNull(plan.namespace) },
        container: container.name,
        containerRole: container.role,
        containerLine: orNull(plan.containerPositions.get(container.name)?.line),
        workloadType: plan.analysis.workloadType,
        gracePeriodSeconds: budget.graceSeconds,
        gracePeriodSource: budget.graceSource,
        preStop: {
          kind: budget.preStop.kind,
          seconds: orNull(budget.preStopEffect.seconds),
          outcome: budget.preStopEffect.outcome,
          cut: budget.preStopCut,
          note: orNull(budget.preStopEffect.note),
        },
        sigtermAt: orNull(budget.sigtermAt),
        sigkillAt: orNull(budget.sigkillAt),
        floorApplied: budget.floorApplied,
        drainSeconds: orNull(budget.drainSeconds),
        drainSource: budget.drainSource,
        sigtermLost: orNull(budget.sigtermLost),
        exitAt: orNull(budget.exitAt),
        slackSeconds: orNull(budget.slackSeconds),
        minimumGraceSeconds: orNull(budget.minimumGraceSeconds),
        verdict: budget.verdict,
        timeline: timeline.map(({ at, kind }) => ({ at, event: kind })),
        recommendations: plan.recommendations
          .filter((r) => r.container === undefined || r.container === container.name)
          .map((r) => ({
            id: r.id,
            container: orNull(r.container),
            action: r.action,
            current: r.current,
            recommended: r.recommended,
            reason: r.reason,
          })),
        patch: plan.patch ?? null,
        notes: plan.notes,
      })),
    ),
  };
}
