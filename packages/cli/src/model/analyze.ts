/**
 * One workload's termination, container by container: the single place that turns a pod template
 * into budgets. plan, lint, fix and the lab all start here.
 */
import {
  DEFAULT_BUFFER_SECONDS,
  type DrainSource,
  type TerminationBudget,
  terminationBudget,
} from './budget.js';
import { parseDurationSeconds } from './duration.js';
import { effectiveGraceSeconds, specGraceSeconds as podSpecGraceSeconds } from './grace.js';
import { getObject, getString, type JsonObject } from './json.js';
import { DEFAULT_KUBE_VERSION, type KubeVersion } from './kube-version.js';
import { classifyPreStop, preStopEffect } from './prestop.js';
import { type SigtermPath, sigtermPath } from './sigterm-path.js';
import { type TimelineEvent, timeline } from './timeline.js';
import {
  type ContainerView,
  findPodTemplate,
  impliedWorkloadType,
  isWorkloadKind,
  nativeSidecarsEnabled,
  type PodTemplate,
  terminatingContainers,
  WORKLOAD_TYPES,
  type WorkloadKind,
  type WorkloadType,
} from './workloads.js';

export const DRAIN_ANNOTATION = 'lameduck.dev/drain-seconds';
export const WORKLOAD_ANNOTATION = 'lameduck.dev/workload';

export interface AnalysisOptions {
  readonly kubeVersion: KubeVersion;
  /** Explicit drain (a flag); wins over the pod template's annotation. */
  readonly drainSeconds?: number | undefined;
  readonly bufferSeconds: number;
  readonly workloadType?: WorkloadType | undefined;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  kubeVersion: DEFAULT_KUBE_VERSION,
  bufferSeconds: DEFAULT_BUFFER_SECONDS,
};

export interface ContainerAnalysis {
  readonly container: ContainerView;
  readonly budget: TerminationBudget;
  readonly timeline: TimelineEvent[];
  /** Whether the kubelet's SIGTERM reaches the app, or a shell or package manager as PID 1 swallows it. */
  readonly sigterm: SigtermPath;
}

export interface WorkloadAnalysis {
  readonly kind: WorkloadKind;
  readonly template: PodTemplate;
  readonly workloadType: WorkloadType;
  readonly workloadTypeSource: 'flag' | 'annotation' | 'kind' | 'default';
  readonly specGraceSeconds: number | undefined;
  /** The grace period the kubelet counts down: the spec's, defaulted, never below 1 s. */
  readonly graceSeconds: number;
  readonly containers: ContainerAnalysis[];
  /** Problems with the lameduck annotations themselves, reported rather than guessed around. */
  readonly annotationProblems: AnnotationProblem[];
}

export interface AnnotationProblem {
  readonly annotation: string;
  readonly value: string;
  readonly message: string;
}

export function analyzeWorkload(
  kind: WorkloadKind,
  template: PodTemplate,
  options: AnalysisOptions,
): WorkloadAnalysis {
  const annotationProblems: AnnotationProblem[] = [];
  const annotations = getObject(template.metadata, ['annotations']) ?? {};
  const drain = resolveDrain(options.drainSeconds, annotations, annotationProblems);
  const type = resolveWorkloadType(kind, options.workloadType, annotations, annotationProblems);
  const specGraceSeconds = podSpecGraceSeconds(template.spec);
  const views = terminatingContainers(template);
  const sidecarsOrdered =
    nativeSidecarsEnabled(options.kubeVersion) && views.some((v) => v.role === 'sidecar');

  const analyse = (view: ContainerView, waitUntil: number | undefined): ContainerAnalysis => {
    const preStop = classifyPreStop(view.spec);
    const sigterm = sigtermPath(view.spec);
    const budget = terminationBudget({
      specGraceSeconds,
      preStop,
      preStopEffect: preStopEffect(preStop, options.kubeVersion, {
        image: getString(view.spec, ['image']),
        specGraceSeconds,
      }),
      // The annotation describes the app, so it applies to main containers only.
      drainSeconds: view.role === 'main' ? drain.seconds : undefined,
      drainSource: view.role === 'main' ? drain.source : 'unknown',
      bufferSeconds: options.bufferSeconds,
      waitsForTurn: sidecarsOrdered && view.role === 'sidecar',
      waitUntil,
      sigtermLost: sigterm.reaches ? undefined : sigterm.reason,
    });
    return { container: view, budget, timeline: timeline(budget), sigterm };
  };

  const mains = views.filter((v) => v.role === 'main').map((v) => analyse(v, undefined));
  // Sidecars get SIGTERM only once every main container has exited (KEP-753 termination ordering).
  const mainExits = mains.map((m) =>
    m.budget.exitAt === undefined
      ? undefined
      : Math.min(m.budget.exitAt, m.budget.sigkillAt ?? Number.POSITIVE_INFINITY),
  );
  const lastMainExit = mainExits.includes(undefined) ? undefined : Math.max(0, ...(mainExits as number[]));
  const sidecars = views.filter((v) => v.role === 'sidecar').map((v) => analyse(v, lastMainExit));

  return {
    kind,
    template,
    workloadType: type.type,
    workloadTypeSource: type.source,
    specGraceSeconds,
    graceSeconds: effectiveGraceSeconds(specGraceSeconds),
    containers: [...mains, ...sidecars],
    annotationProblems,
  };
}

/** The analysis of a workload object as read (from a file or the API), or why there is none. */
export function analyzeObject(
  workload: JsonObject,
  options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
): WorkloadAnalysis | { readonly problem: string } {
  const kind = workload.kind;
  if (!isWorkloadKind(kind)) return { problem: `${String(kind)} is not a workload with a pod template` };
  const lookup = findPodTemplate(workload, kind);
  if (!lookup.found) return { problem: lookup.problem };
  return analyzeWorkload(kind, lookup.template, options);
}

function resolveDrain(
  flagSeconds: number | undefined,
  annotations: JsonObject,
  problems: AnnotationProblem[],
): { seconds: number | undefined; source: DrainSource } {
  if (flagSeconds !== undefined) return { seconds: flagSeconds, source: 'flag' };
  const raw = annotations[DRAIN_ANNOTATION];
  if (raw === undefined) return { seconds: undefined, source: 'unknown' };
  const seconds = typeof raw === 'number' ? raw : parseDurationSeconds(String(raw));
  if (seconds === undefined || seconds < 0) {
    problems.push({
      annotation: DRAIN_ANNOTATION,
      value: String(raw),
      message: `${DRAIN_ANNOTATION} must be seconds such as "25" or "25s"`,
    });
    return { seconds: undefined, source: 'unknown' };
  }
  return { seconds, source: 'annotation' };
}

function resolveWorkloadType(
  kind: WorkloadKind,
  flagType: WorkloadType | undefined,
  annotations: JsonObject,
  problems: AnnotationProblem[],
): { type: WorkloadType; source: WorkloadAnalysis['workloadTypeSource'] } {
  if (flagType) return { type: flagType, source: 'flag' };
  const raw = getString(annotations, [WORKLOAD_ANNOTATION]);
  if (raw !== undefined) {
    if ((WORKLOAD_TYPES as readonly string[]).includes(raw)) {
      return { type: raw as WorkloadType, source: 'annotation' };
    }
    problems.push({
      annotation: WORKLOAD_ANNOTATION,
      value: raw,
      message: `${WORKLOAD_ANNOTATION} must be one of ${WORKLOAD_TYPES.join(', ')}`,
    });
  }
  const implied = impliedWorkloadType(kind);
  return implied ? { type: implied, source: 'kind' } : { type: 'http', source: 'default' };
}
