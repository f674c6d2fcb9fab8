/** Objects to the per-workload view that rules check: analysis plus the Services that select it. */
import type { KubeObject } from '../manifests/objects.js';
import { analyzeWorkload } from '../model/analyze.js';
import { getObject, getString, type JsonObject } from '../model/json.js';
import { serviceSelects } from '../model/services.js';
import { findPodTemplate, isWorkloadKind } from '../model/workloads.js';
import type { ImageLinker } from './images.js';
import type { LintOptions, WorkloadContext } from './rule.js';

function namespaceOf(object: JsonObject): string {
  return getString(object, ['metadata', 'namespace']) ?? 'default';
}

/** A Service selects a pod in its own namespace only. */
export function selects(service: JsonObject, labels: JsonObject, namespace: string): boolean {
  return namespaceOf(service) === namespace && serviceSelects(service, labels);
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
  const services = serviceIndex(objects);
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
        services: services(labels, namespace),
        options,
        dockerfileFor,
      },
    });
  }
  return contexts;
}

/**
 * The Services selecting a pod's labels, found through an index: a Service selects a pod only if
 * the first pair of its selector is among the pod's labels, in the same namespace. Filtering every
 * Service for every workload is quadratic, and a 50 MB input holds tens of thousands of each.
 */
function serviceIndex(
  objects: readonly KubeObject[],
): (labels: JsonObject, namespace: string) => JsonObject[] {
  const byFirstPair = new Map<string, JsonObject[]>();
  const keyOf = (namespace: string, key: string, value: unknown) =>
    `${namespace}\u0000${key}\u0000${String(value)}`;
  for (const object of objects) {
    if (object.kind !== 'Service') continue;
    const selector = getObject(object.value, ['spec', 'selector']);
    const first = selector ? Object.entries(selector)[0] : undefined;
    if (!first) continue;
    const key = keyOf(namespaceOf(object.value), first[0], first[1]);
    const list = byFirstPair.get(key);
    if (list) list.push(object.value);
    else byFirstPair.set(key, [object.value]);
  }
  return (labels, namespace) => {
    const found: JsonObject[] = [];
    for (const [key, value] of Object.entries(labels)) {
      for (const service of byFirstPair.get(keyOf(namespace, key, value)) ?? []) {
        if (selects(service, labels, namespace)) found.push(service);
      }
    }
    return found;
  };
}
