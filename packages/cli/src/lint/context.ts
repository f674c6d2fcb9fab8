/** Objects to the per-workload view that rules check: analysis plus the Services that select it. */
import type { KubeObject } from '../manifests/objects.js';
import { analyzeWorkload } from '../model/analyze.js';
import { getObject, getString, type JsonObject } from '../model/json.js';
import { findPodTemplate, isWorkloadKind } from '../model/workloads.js';
import type { ImageLinker } from './images.js';
import type { LintOptions, WorkloadContext } from './rule.js';

function namespaceOf(object: JsonObject): string {
  return getString(object, ['metadata', 'namespace']) ?? 'default';
}

/** A Service selects a pod when every key of its selector matches the pod's labels. */
export function selects(service: JsonObject, labels: JsonObject, namespace: string): boolean {
  const selector = getObject(service, ['spec', 'selector']);
  if (!selector || Object.keys(selector).length === 0) return false;
  if (namespaceOf(service) !== namespace) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export interface LocatedContext {
  readonly object: KubeObject;
  readonly context: WorkloadContext;
}

export function workloadContexts(
  objects: readonly KubeObject[],
  options: LintOptions,
  dockerfileFor: ImageLinker = () => undefined,
): LocatedContext[] {
  // Services only ever select pods of their own namespace: index them by it.
  const servicesByNamespace = new Map<string, JsonObject[]>();
  for (const object of objects) {
    if (object.kind !== 'Service') continue;
    const namespace = namespaceOf(object.value);
    servicesByNamespace.set(namespace, [...(servicesByNamespace.get(namespace) ?? []), object.value]);
  }
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
    const namespace = namespaceOf(object.value);
    contexts.push({
      object,
      context: {
        kind: object.kind,
        name: object.name,
        object: object.value,
        analysis,
        services: (servicesByNamespace.get(namespace) ?? []).filter((s) => selects(s, labels, namespace)),
        options,
        dockerfileFor,
      },
    });
  }
  return contexts;
}
