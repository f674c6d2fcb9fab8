/**
 * The plan as data: one object per workload/container. The shape is documented in docs/plan-json.md
 * and versioned by schemaVersion; unknown values are null, never missing.
 */
import { formatKubeVersion } from '../model/kube-version.js';
import type { PlanOptions, WorkloadPlan } from './build.js';

/** 2: the patch and notes moved from every container row to `workloads`, once per workload (linear size). */
export const PLAN_SCHEMA_VERSION = 2;

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
    workloads: plans.map((plan) => ({
      file: plan.file,
      line: plan.position.line,
      column: plan.position.column,
      object: { kind: plan.kind, name: plan.name, namespace: orNull(plan.namespace) },
      patch: plan.patch ?? null,
      notes: plan.notes,
      frontOfPod: plan.parties.map((party) => ({
        party: party.kind,
        who: party.who,
        does: party.does,
        setting: party.setting,
        from: party.from,
        until: orNull(party.until),
        sendsFor: orNull(party.sendsFor),
      })),
      preStopCoverage: {
        min: plan.preStopCoverage.range.min,
        max: plan.preStopCoverage.range.max,
        decidedBy: plan.preStopCoverage.basis,
        party: orNull(plan.preStopCoverage.party?.kind),
      },
    })),
    plans: plans.flatMap((plan, workload) => {
      const forContainer = recommendationsByContainer(plan);
      return plan.analysis.containers.map(({ container, budget, timeline }) => ({
        workload,
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
        recommendations: forContainer(container.name),
      }));
    }),
  };
}

/**
 * Each container's recommendations with the workload-wide ones, in the order recommend() made them,
 * built in one pass (a filter per container is quadratic in a pod with thousands of containers).
 */
function recommendationsByContainer(plan: WorkloadPlan): (container: string) => object[] {
  const lists = new Map(plan.analysis.containers.map(({ container }) => [container.name, [] as object[]]));
  for (const r of plan.recommendations) {
    const shown = {
      id: r.id,
      container: orNull(r.container),
      action: r.action,
      current: r.current,
      recommended: r.recommended,
      reason: r.reason,
    };
    if (r.container === undefined) for (const list of lists.values()) list.push(shown);
    else lists.get(r.container)?.push(shown);
  }
  return (container) => lists.get(container) ?? [];
}
