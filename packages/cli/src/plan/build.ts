/**
 * Objects to plans: for each workload, its analysis, the recommended values, the patch that applies
 * them, and the analysis of the patched workload, which proves the patch does what it claims.
 */
import type { KubeObject } from '../manifests/objects.js';
import { locate, place } from '../manifests/objects.js';
import { type AnalysisOptions, analyzeWorkload, type WorkloadAnalysis } from '../model/analyze.js';
import { applyChanges, type Change, type Patch, patchFor } from '../model/changes.js';
import { graceCaps } from '../model/grace-caps.js';
import type { ClusterProfile } from '../model/guide-tables.js';
import { getObject } from '../model/json.js';
import { formatKubeVersion, type KubeVersion } from '../model/kube-version.js';
import { type Neighbours, namespaceOf, neighbourFinder } from '../model/neighbours.js';
import { type FrontParty, type PreStopCoverage, partiesInFront, preStopCoverage } from '../model/parties.js';
import { type Recommendation, recommend, recommendedGraceSeconds } from '../model/recommendations.js';
import { stopSignalNote } from '../model/stop-signal.js';
import {
  findPodTemplate,
  isWorkloadKind,
  nativeSidecarsEnabled,
  WORKLOAD_KINDS,
  type WorkloadKind,
  type WorkloadType,
} from '../model/workloads.js';
import { InputError, type SourcePosition } from '../output/errors.js';

export interface PlanOptions {
  readonly kubeVersion: KubeVersion;
  readonly kubeVersionAssumed: boolean;
  readonly profile: ClusterProfile;
  readonly profileSource: 'nodes' | 'profile' | 'assumed';
  readonly nodes?: number | undefined;
  readonly drainSeconds?: number | undefined;
  readonly bufferSeconds: number;
  readonly workloadType?: WorkloadType | undefined;
  readonly container?: string | undefined;
}

export interface WorkloadPlan {
  readonly file: string;
  readonly position: SourcePosition;
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly analysis: WorkloadAnalysis;
  /** Positions of each container's entry, by name. */
  readonly containerPositions: ReadonlyMap<string, SourcePosition>;
  readonly recommendations: Recommendation[];
  readonly changes: Change[];
  readonly patch: Patch | undefined;
  /** The same workload with the changes applied. */
  readonly after: WorkloadAnalysis | undefined;
  readonly notes: string[];
  /** What stands in front of the pods, as the input reveals it (model/parties.ts). */
  readonly parties: FrontParty[];
  /** The preStop range recommended, and the party (or cluster size) that decided it. */
  readonly preStopCoverage: PreStopCoverage;
}

export interface PlanResult {
  readonly plans: WorkloadPlan[];
  readonly errors: InputError[];
  /** Set when nothing could be planned; worth saying only if the input itself loaded cleanly. */
  readonly nothingToPlan: InputError | undefined;
}

export function buildPlans(objects: readonly KubeObject[], options: PlanOptions): PlanResult {
  const plans: WorkloadPlan[] = [];
  const errors: InputError[] = [];
  const neighboursOf = neighbourFinder(objects);
  for (const object of objects) {
    if (!isWorkloadKind(object.kind)) continue;
    const lookup = findPodTemplate(object.value, object.kind);
    if (!lookup.found) {
      errors.push(
        new InputError(
          `${object.kind} ${object.name}: ${lookup.problem}`,
          object.source.name,
          locate(object, lookup.path),
        ),
      );
      continue;
    }
    const labels = getObject(lookup.template.metadata, ['labels']) ?? {};
    const plan = planWorkload(object, object.kind, neighboursOf(labels, namespaceOf(object.value)), options);
    if (plan) plans.push(plan);
  }
  let nothingToPlan: InputError | undefined;
  if (plans.length === 0 && errors.length === 0) {
    const files = [...new Set(objects.map((o) => o.source.name))];
    const kinds = [...new Set(objects.map((o) => o.kind).filter(Boolean))];
    const found = kinds.length > 0 ? `found only ${kinds.join(', ')}` : 'found no Kubernetes objects';
    nothingToPlan = new InputError(
      options.container
        ? `no container named "${options.container}" in any workload`
        : `no workload with a pod template (${found})`,
      files.join(', ') || '<input>',
      objects[0] ? locate(objects[0], []) : undefined,
      options.container ? 'check --container' : `plan reads ${WORKLOAD_KINDS.join(', ')}`,
    );
  }
  return { plans, errors, nothingToPlan };
}

function analysisOptions(options: PlanOptions): AnalysisOptions {
  return {
    kubeVersion: options.kubeVersion,
    drainSeconds: options.drainSeconds,
    bufferSeconds: options.bufferSeconds,
    workloadType: options.workloadType,
  };
}

function planWorkload(
  object: KubeObject,
  kind: WorkloadKind,
  neighbours: Neighbours,
  options: PlanOptions,
): WorkloadPlan | undefined {
  const analyseAll = (value: typeof object.value) => {
    const lookup = findPodTemplate(value, kind);
    if (!lookup.found) throw new Error(`pod template vanished from ${kind}`);
    return analyzeWorkload(kind, lookup.template, analysisOptions(options));
  };
  // Recommendations need the whole pod (the grace period covers every container); the plan shows --container only.
  const shownOnly = (analysis: WorkloadAnalysis): WorkloadAnalysis =>
    options.container
      ? { ...analysis, containers: analysis.containers.filter((c) => c.container.name === options.container) }
      : analysis;
  const full = analyseAll(object.value);
  const analysis = shownOnly(full);
  if (analysis.containers.length === 0) return undefined;

  const parties = partiesInFront({ kind, object: object.value, template: full.template }, neighbours);
  const coverage = preStopCoverage(parties, options.profile);
  const recommended = recommend(full, object.value, {
    profile: options.profile,
    kubeVersion: options.kubeVersion,
    bufferSeconds: options.bufferSeconds,
    preStopCoverage: coverage,
  });
  const { recommendations, changes } = recommended;
  const grace = recommendedGraceSeconds(full, recommended);
  const capNotes = graceCaps(neighbours, kind, namespaceOf(object.value))
    .filter((cap) => grace !== undefined && cap.maxSeconds < grace)
    .map(
      (cap) =>
        `${cap.name} admits terminationGracePeriodSeconds up to ${cap.maxSeconds}s (${cap.written}): ${cap.enforced ? 'the API server rejects' : 'it reports'} the ${grace}s recommended here; raise the cap or exempt this workload`,
    );
  const shown = options.container
    ? recommendations.filter((r) => r.container === undefined || r.container === options.container)
    : recommendations;
  const after =
    changes.length > 0 ? shownOnly(analyseAll(applyChanges(object.value, kind, changes))) : undefined;

  // In rendered output, both are in the template the object was written in.
  const containerPositions = new Map(
    analysis.containers.map((c) => [c.container.name, place(object, c.container.path).position]),
  );
  const { source, position } = place(object, []);
  return {
    file: source.name,
    position,
    kind,
    name: object.name,
    namespace: object.namespace,
    analysis,
    containerPositions,
    recommendations: shown,
    changes,
    patch: patchFor(object.value, kind, changes),
    after,
    notes: [...notesFor(analysis, kind, changes, options.kubeVersion), ...capNotes],
    parties,
    preStopCoverage: coverage,
  };
}

function notesFor(
  analysis: WorkloadAnalysis,
  kind: WorkloadKind,
  changes: Change[],
  version: KubeVersion,
): string[] {
  const notes = analysis.annotationProblems.map((p) => `${p.message} (found "${p.value}"); it was ignored`);
  for (const { container, budget } of analysis.containers) {
    if (budget.preStopEffect.note) notes.push(`${container.name}: ${budget.preStopEffect.note}`);
    const signal = stopSignalNote(container.spec, analysis.template.spec, version);
    if (signal) notes.push(`${container.name}: ${signal}`);
    if (container.role === 'sidecar' && !nativeSidecarsEnabled(version)) {
      notes.push(
        `${container.name}: native sidecars are not on by default in Kubernetes ${formatKubeVersion(version)}; it is treated as a sidecar here, but check the cluster's SidecarContainers gate`,
      );
    }
  }
  if (analysis.specGraceSeconds === 0) {
    notes.push(
      'terminationGracePeriodSeconds: 0 deletes the pod object at once, like --force; the kubelet still gives containers 1 s',
    );
  }
  if (kind === 'Pod' && changes.length > 0) {
    notes.push('a Pod cannot be patched in place for these fields: change its manifest and recreate it');
  }
  return notes;
}
