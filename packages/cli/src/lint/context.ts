/** Objects to the per-workload view that rules check: analysis plus its neighbours (model/neighbours.ts). */
import { dirname } from 'node:path';
import type { KubeObject } from '../manifests/objects.js';
import { analyzeWorkload } from '../model/analyze.js';
import { containerArgv } from '../model/argv.js';
import { developmentEnvironment } from '../model/environments.js';
import { getObject } from '../model/json.js';
import { namespaceOf, neighbourFinder } from '../model/neighbours.js';
import { partiesInFront, preStopCoverage } from '../model/parties.js';
import { servingEvidenceOf } from '../model/serving.js';
import { findPodTemplate, isWorkloadKind } from '../model/workloads.js';
import type { ImageLinker } from './images.js';
import type { LintOptions, WorkloadContext } from './rule.js';

export interface LocatedContext {
  readonly object: KubeObject;
  readonly context: WorkloadContext;
}

export function workloadContexts(
  objects: readonly KubeObject[],
  options: LintOptions,
  dockerfileFor: ImageLinker = () => undefined,
): LocatedContext[] {
  const neighboursOf = neighbourFinder(objects);
  const contexts: LocatedContext[] = [];
  for (const object of objects) {
    if (!isWorkloadKind(object.kind)) continue;
    const lookup = findPodTemplate(object.value, object.kind);
    if (!lookup.found) continue;
    const analysis = analyzeWorkload(object.kind, lookup.template, {
      kubeVersion: options.kubeVersion,
      drainSeconds: options.drainSeconds,
      bufferSeconds: options.bufferSeconds,
    });
    const labels = getObject(lookup.template.metadata, ['labels']) ?? {};
    const neighbours = neighboursOf(labels, namespaceOf(object.value));
    const environment = developmentEnvironment(
      object.namespace,
      object.source.origin?.renderedBy ?? dirname(object.source.name),
      analysis.containers
        .filter(({ container }) => container.role === 'main')
        .flatMap(({ container }) => containerArgv(container.spec)),
    );
    contexts.push({
      object,
      context: {
        kind: object.kind,
        name: object.name,
        object: object.value,
        analysis,
        ...neighbours,
        serving: servingEvidenceOf(analysis, labels, namespaceOf(object.value), neighbours),
        preStopCoverage: preStopCoverage(
          partiesInFront({ kind: object.kind, object: object.value, template: lookup.template }, neighbours),
          options.profile,
        ),
        ...(environment ? { environment } : {}),
        options,
        dockerfileFor,
      },
    });
  }
  return contexts;
}
