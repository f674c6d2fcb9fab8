/** Objects to the per-workload view that rules check: analysis plus the Services that select it. */
import type { KubeObject } from '../manifests/objects.js';
import { analyzeWorkload } from '../model/analyze.js';
import { getIn, getObject, getString, isObject, type JsonObject } from '../model/json.js';
import { serviceSelects } from '../model/services.js';
import { findPodTemplate, isWorkloadKind } from '../model/workloads.js';
import type { ImageLinker } from './images.js';
import type { LintOptions, WorkloadContext } from './rule.js';

export function namespaceOf(object: JsonObject): string {
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
  const byKind = new Map<string, JsonObject[]>();
  for (const object of objects) {
    const list = byKind.get(object.kind);
    if (list) list.push(object.value);
    else byKind.set(object.kind, [object.value]);
  }
  const objectsOfKind = (kind: string): readonly JsonObject[] => byKind.get(kind) ?? [];
  const ingressesInFront = ingressIndex(objectsOfKind('Ingress'));
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
    const selecting = services(labels, namespace);
    contexts.push({
      object,
      context: {
        kind: object.kind,
        name: object.name,
        object: object.value,
        analysis,
        services: selecting,
        ingresses: ingressesInFront(selecting),
        namespace: objectsOfKind('Namespace').find((n) => getString(n, ['metadata', 'name']) === namespace),
        objectsOfKind,
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

/** The Service names an Ingress sends traffic to: its default backend and every path's backend. */
export function ingressBackendServices(ingress: JsonObject): string[] {
  // networking.k8s.io/v1 names `service.name`; the removed v1beta1 named `serviceName`.
  const nameOf = (backend: unknown) =>
    getString(backend, ['service', 'name']) ?? getString(backend, ['serviceName']);
  const rules = getIn(ingress, ['spec', 'rules']);
  const paths = (Array.isArray(rules) ? rules : []).flatMap((rule: unknown) => {
    const list = getIn(rule, ['http', 'paths']);
    return Array.isArray(list) ? list.filter(isObject) : [];
  });
  return [getIn(ingress, ['spec', 'defaultBackend']), ...paths.map((path) => path.backend)]
    .map(nameOf)
    .filter((name): name is string => name !== undefined);
}

/**
 * The Ingresses routing to one of a workload's Services, found through an index by namespace and
 * Service name (an Ingress reaches Services of its own namespace only), for the same reason as
 * serviceIndex.
 */
function ingressIndex(objects: readonly JsonObject[]): (services: readonly JsonObject[]) => JsonObject[] {
  const byBackend = new Map<string, JsonObject[]>();
  const keyOf = (namespace: string, service: string) => `${namespace}\u0000${service}`;
  for (const ingress of objects) {
    for (const service of new Set(ingressBackendServices(ingress))) {
      const key = keyOf(namespaceOf(ingress), service);
      const list = byBackend.get(key);
      if (list) list.push(ingress);
      else byBackend.set(key, [ingress]);
    }
  }
  return (services) => [
    ...new Set(
      services.flatMap(
        (service) =>
          byBackend.get(keyOf(namespaceOf(service), getString(service, ['metadata', 'name']) ?? '')) ?? [],
      ),
    ),
  ];
}
