/**
 * What surrounds a workload in the input: the Services that select its pods, the Ingresses that
 * route to those Services, its Namespace, and every object by kind (BackendConfigs, ConfigMaps,
 * IngressClasses...). lint's rules and plan read the parties in front of the pod from it.
 */
import { getIn, getObject, getString, isObject, type JsonObject } from './json.js';
import { serviceSelects } from './services.js';

export interface Neighbours {
  /** Services in the same namespace whose selector matches the pod template's labels. */
  readonly services: readonly JsonObject[];
  /** Ingresses in the same namespace with a backend among `services`: what stands in front of them. */
  readonly ingresses: readonly JsonObject[];
  /** The workload's Namespace object, when the input holds it (labels such as injection switches). */
  readonly namespace: JsonObject | undefined;
  /** Every object of the input of one kind (BackendConfig, ConfigMap, IngressClass...). */
  readonly objectsOfKind: (kind: string) => readonly JsonObject[];
}

/** An object of the input with its kind, as the manifest readers hand it over. */
export interface KindedObject {
  readonly kind: string;
  readonly value: JsonObject;
}

export function namespaceOf(object: JsonObject): string {
  return getString(object, ['metadata', 'namespace']) ?? 'default';
}

/** A Service selects a pod in its own namespace only. */
function selects(service: JsonObject, labels: JsonObject, namespace: string): boolean {
  return namespaceOf(service) === namespace && serviceSelects(service, labels);
}

/** The neighbours of a pod template's labels in a namespace, with the input indexed once. */
export function neighbourFinder(
  objects: readonly KindedObject[],
): (labels: JsonObject, namespace: string) => Neighbours {
  const byKind = new Map<string, JsonObject[]>();
  for (const object of objects) {
    const list = byKind.get(object.kind);
    if (list) list.push(object.value);
    else byKind.set(object.kind, [object.value]);
  }
  const objectsOfKind = (kind: string): readonly JsonObject[] => byKind.get(kind) ?? [];
  const servicesSelecting = serviceIndex(objectsOfKind('Service'));
  const ingressesInFront = ingressIndex(objectsOfKind('Ingress'));
  return (labels, namespace) => {
    const services = servicesSelecting(labels, namespace);
    return {
      services,
      ingresses: ingressesInFront(services),
      namespace: objectsOfKind('Namespace').find((n) => getString(n, ['metadata', 'name']) === namespace),
      objectsOfKind,
    };
  };
}

/**
 * The Services selecting a pod's labels, found through an index: a Service selects a pod only if
 * the first pair of its selector is among the pod's labels, in the same namespace. Filtering every
 * Service for every workload is quadratic, and a 50 MB input holds tens of thousands of each.
 */
function serviceIndex(
  services: readonly JsonObject[],
): (labels: JsonObject, namespace: string) => JsonObject[] {
  const byFirstPair = new Map<string, JsonObject[]>();
  const keyOf = (namespace: string, key: string, value: unknown) =>
    `${namespace}\u0000${key}\u0000${String(value)}`;
  for (const service of services) {
    const selector = getObject(service, ['spec', 'selector']);
    const first = selector ? Object.entries(selector)[0] : undefined;
    if (!first) continue;
    const key = keyOf(namespaceOf(service), first[0], first[1]);
    const list = byFirstPair.get(key);
    if (list) list.push(service);
    else byFirstPair.set(key, [service]);
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
function ingressIndex(ingresses: readonly JsonObject[]): (services: readonly JsonObject[]) => JsonObject[] {
  const byBackend = new Map<string, JsonObject[]>();
  const keyOf = (namespace: string, service: string) => `${namespace}\u0000${service}`;
  for (const ingress of ingresses) {
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
