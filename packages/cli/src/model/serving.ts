/**
 * Which containers of a pod serve requests, and the evidence for it: the one answer every rule
 * about draining uses. A missed Prometheus scrape is not a lost request, so a port that only
 * metrics scrapers reach is not serving; a Service routing to a port, or a port whose name says it
 * serves requests, is.
 */
import type { ContainerAnalysis, WorkloadAnalysis } from './analyze.js';
import { type ApiServerCalls, apiServerCalls } from './api-server-callers.js';
import { healthPolledOnly } from './health-pollers.js';
import { getIn, getObject, getString, isObject, type JsonObject } from './json.js';
import { ingressBackendServices, type Neighbours, namespaceOf } from './neighbours.js';
import {
  metricsExporter,
  monitoringPorts,
  neededSidecar,
  proxyConfigPorts,
  requestProtocolName,
  telemetryCollector,
} from './protocols.js';
import { headless, labelSelectorMatches, peerDiscovery } from './services.js';
import { type ContainerView, containerPorts, type WorkloadKind } from './workloads.js';

/** A container of the pod with the evidence that it serves requests. */
export interface ServingContainer extends ContainerAnalysis {
  readonly evidence: ServingEvidence;
}

/** `metrics`, `http-metrics`, `prom-metrics`, `metrics-http`...: a port Prometheus scrapes. */
const METRICS_NAME = /(?:^|-)metrics(?:$|-)|^prometheus$|^prom$/;

export function metricsPortName(name: string | undefined): boolean {
  return name !== undefined && METRICS_NAME.test(name);
}

/**
 * `metrics`, `web-metrics`, `kube-state-metrics`: a Service named for the scrapes it carries. Not
 * `metrics-server`, whose Service is the backend of the metrics.k8s.io API.
 */
function metricsServiceName(name: string): boolean {
  return /(?:^|-)metrics$/.test(name);
}

/** What stands in front of one Service: the objects that send it traffic from outside the cluster. */
export interface ServiceFront {
  readonly service: JsonObject;
  /** "Ingress web", "HTTPRoute web", as a reader names them. */
  readonly fronts: readonly string[];
  /** How a failed call through it is taken, when only the API server calls it and forgives (model/api-server-callers.ts). */
  readonly apiServer?: ApiServerCalls;
  /** Why only health checks call it, when every mention of it in the input is a health URL (model/health-pollers.ts). */
  readonly healthPolled?: string;
}

export interface ServingNeighbours {
  readonly podLabels: JsonObject;
  readonly namespace: string;
  /** The Services that select the pod, each with what routes to it. */
  readonly services: readonly ServiceFront[];
  /** Prometheus Operator ServiceMonitors and PodMonitors in the input. */
  readonly serviceMonitors: readonly JsonObject[];
  readonly podMonitors: readonly JsonObject[];
}

export type ServingEvidence =
  /** A Service (and what fronts it) routes to the container's port, or the port's name says it serves requests. */
  | { readonly kind: 'serving'; readonly because: string }
  /**
   * A port that nothing in the input routes to and whose name says nothing, or one only callers that
   * retry reach (`because` says so): it may serve, or not.
   */
  | { readonly kind: 'unknown'; readonly port: number; readonly because?: string }
  | { readonly kind: 'not-serving'; readonly because: string };

interface Port {
  readonly name?: string;
  readonly port: number;
}

const nameOf = (object: JsonObject) => getString(object, ['metadata', 'name']) ?? '';

/**
 * A Service that can carry no request: peer discovery, or a headless one whose ports all target
 * port 0 (a name in DNS for a worker that listens on nothing).
 */
function placeholder(service: JsonObject): boolean {
  if (peerDiscovery(service)) return true;
  const ports = getIn(service, ['spec', 'ports']);
  return (
    headless(service) &&
    Array.isArray(ports) &&
    ports.every((port) => isObject(port) && (port.targetPort ?? port.port) === 0)
  );
}

/** A Service's ports, as written. */
function servicePorts(service: JsonObject): JsonObject[] {
  const ports = getIn(service, ['spec', 'ports']);
  return Array.isArray(ports) ? ports.filter(isObject) : [];
}

/** The Service port's targetPort reaches this container port (by number or by name; absent means `port`). */
function targets(servicePort: JsonObject, port: Port): boolean {
  const target = servicePort.targetPort ?? servicePort.port;
  return typeof target === 'number' ? target === port.port : target === port.name;
}

function monitorSelects(monitor: JsonObject, labels: JsonObject, namespace: string): boolean {
  const namespaces = getObject(monitor, ['spec', 'namespaceSelector']);
  const names = getIn(namespaces, ['matchNames']);
  const inNamespace =
    namespaces?.any === true ||
    (Array.isArray(names)
      ? names.includes(namespace)
      : (getString(monitor, ['metadata', 'namespace']) ?? 'default') === namespace);
  return inNamespace && labelSelectorMatches(getObject(monitor, ['spec', 'selector']) ?? {}, labels);
}

/** Names of the ports a monitor scrapes (`endpoints[].port` of a ServiceMonitor, `podMetricsEndpoints[].port` of a PodMonitor). */
function scrapedPortNames(monitor: JsonObject, list: 'endpoints' | 'podMetricsEndpoints'): string[] {
  const endpoints = getIn(monitor, ['spec', list]);
  return (Array.isArray(endpoints) ? endpoints : []).flatMap((endpoint) => {
    const port = getString(endpoint, ['port']);
    return port === undefined ? [] : [port];
  });
}

/**
 * A Service port that metrics scrapers use: its name, the Service's name, or a ServiceMonitor says
 * so. A scrape shares a port with users when something sends them through it (an Ingress or route
 * in front, a LoadBalancer or NodePort Service): Backstage's one port carries /metrics too.
 */
function metricsServicePort(
  { service, fronts }: ServiceFront,
  servicePort: JsonObject,
  neighbours: ServingNeighbours,
): boolean {
  const portName = getString(servicePort, ['name']);
  if (metricsPortName(portName) || metricsServiceName(nameOf(service))) return true;
  const type = getString(service, ['spec', 'type']);
  if (fronts.length > 0 || type === 'LoadBalancer' || type === 'NodePort') return false;
  const labels = getObject(service, ['metadata', 'labels']) ?? {};
  return neighbours.serviceMonitors.some(
    (monitor) =>
      monitorSelects(monitor, labels, neighbours.namespace) &&
      portName !== undefined &&
      scrapedPortNames(monitor, 'endpoints').includes(portName),
  );
}

function podMonitorScrapes(port: Port, neighbours: ServingNeighbours): boolean {
  return (
    port.name !== undefined &&
    neighbours.podMonitors.some(
      (monitor) =>
        monitorSelects(monitor, neighbours.podLabels, neighbours.namespace) &&
        scrapedPortNames(monitor, 'podMetricsEndpoints').includes(port.name ?? ''),
    )
  );
}

function describeRoute({ service, fronts }: ServiceFront, servicePort: JsonObject, port: Port): string {
  const balancer = getString(service, ['spec', 'type']) === 'LoadBalancer' ? 'LoadBalancer ' : '';
  const front = fronts.length > 0 ? `, behind ${fronts.join(', ')}` : '';
  const served = String(servicePort.port ?? port.port);
  return `${balancer}Service ${nameOf(service)} routes its port ${served} to container port ${port.name ?? port.port}${front}`;
}

/** `xds`, `grpc-xds`, `xds-grpc`: a control plane's port that Envoy proxies stream their configuration from (Contour). */
const XDS_NAME = /(?:^|-)xds(?:$|-)/;

/** `healthz`, `http-healthz`, `health-check`: a port only probes reach. */
const HEALTH_NAME = /(?:^|-)health(?:z|check)?(?:$|-)/;

/** Ports a container's image is known to use for other things than requests (model/protocols.ts). */
interface KnownPorts {
  readonly proxyConfig: readonly number[];
  readonly monitoring: readonly number[];
}

function portEvidence(port: Port, neighbours: ServingNeighbours, known: KnownPorts): ServingEvidence {
  const shown = port.name ?? port.port;
  if (podMonitorScrapes(port, neighbours))
    return { kind: 'not-serving', because: `port ${shown} serves metrics` };
  // Whatever its name (Logstash's Service calls its monitoring API `http`), by the image.
  if (known.monitoring.includes(port.port))
    return { kind: 'not-serving', because: `port ${shown} is the server's monitoring API` };
  // A port named for metrics or health checks serves no request, unless a Service port whose name
  // says requests routes to it (the Pushgateway: Service port http to container port metrics).
  const servesOnly = metricsPortName(port.name)
    ? 'metrics'
    : port.name !== undefined && HEALTH_NAME.test(port.name)
      ? 'health checks'
      : undefined;
  let reachedOnlyBy: string | undefined;
  let retriedBy: string | undefined;
  // Peers reach one another through a peer-discovery Service (gossip, a StatefulSet's members):
  // no client request comes that way, and the Service keeps terminating pods listed by design.
  for (const front of neighbours.services) {
    for (const servicePort of servicePorts(front.service)) {
      if (!targets(servicePort, port)) continue;
      if (peerDiscovery(front.service)) {
        reachedOnlyBy ??= `only the peer-discovery Service ${nameOf(front.service)} (headless, listing pods that are not ready) reaches port ${shown}`;
        continue;
      }
      if (front.apiServer?.kind === 'fails-open') {
        reachedOnlyBy ??= front.apiServer.because;
        continue;
      }
      if (front.healthPolled !== undefined) {
        reachedOnlyBy ??= front.healthPolled;
        continue;
      }
      if (front.apiServer?.kind === 'retried') {
        retriedBy ??= front.apiServer.because;
        continue;
      }
      if (
        XDS_NAME.test(getString(servicePort, ['name']) ?? '') ||
        XDS_NAME.test(port.name ?? '') ||
        known.proxyConfig.includes(port.port)
      ) {
        retriedBy ??= `only Envoy proxies call port ${shown}, for their configuration (xDS): they keep serving the last one and reconnect`;
        continue;
      }
      if (metricsServicePort(front, servicePort, neighbours)) {
        reachedOnlyBy ??= `only the metrics Service ${nameOf(front.service)} routes to port ${shown}`;
        continue;
      }
      const asked = requestProtocolName(
        getString(servicePort, ['name']),
        getString(servicePort, ['appProtocol']),
      );
      if (servesOnly && !asked) continue;
      return { kind: 'serving', because: describeRoute(front, servicePort, port) };
    }
  }
  if (servesOnly) return { kind: 'not-serving', because: `port ${shown} serves ${servesOnly}` };
  if (retriedBy) return { kind: 'unknown', port: port.port, because: retriedBy };
  if (reachedOnlyBy) return { kind: 'not-serving', because: reachedOnlyBy };
  // A request-like name is no proof: controllers name their metrics and health port `http` too
  // (Reloader). Where no Service in the input selects the pod, one may live in another repository:
  // say so, at info. Where Services do and none routes here, the port reaches no one through them
  // (the operator's http port behind kube-rbac-proxy's https).
  if (requestProtocolName(port.name) && neighbours.services.length === 0)
    return {
      kind: 'unknown',
      port: port.port,
      because: `if port ${port.port} (named ${port.name}) serves requests through a Service in another repository (none in the input selects the pod)`,
    };
  return { kind: 'unknown', port: port.port };
}

/**
 * The evidence that one container serves requests. Jobs and CronJobs run to completion and serve
 * no one; a port-less container serves only when it is the pod's one container a Service routes to
 * (a Service may send traffic to a port the spec never declares).
 */
export function servingEvidence(
  kind: WorkloadKind,
  container: ContainerView,
  neighbours: ServingNeighbours,
  declaredPorts: readonly Port[],
  first: boolean,
  /** Whether another main container declares ports too: then an undeclared target may be either's. */
  sharedPod = false,
): ServingEvidence {
  const podDeclaresPorts = declaredPorts.length > 0;
  if (kind === 'Job' || kind === 'CronJob')
    return { kind: 'not-serving', because: `a ${kind} runs to completion` };
  if (container.role !== 'main') return { kind: 'not-serving', because: 'it is a native sidecar' };
  const collector = telemetryCollector(container.spec);
  if (collector)
    return {
      kind: 'not-serving',
      because: `it runs ${collector}, a telemetry collector: the apps' exporters retry, and a lost span is no lost request`,
    };
  const exporter = metricsExporter(container.spec);
  if (exporter)
    return {
      kind: 'not-serving',
      because: `it runs ${exporter}, a Prometheus exporter: only Prometheus calls it, and a missed scrape is no lost request`,
    };
  const ports = containerPorts(container.spec);
  if (ports.length === 0) {
    const routing = neighbours.services.find(
      ({ service }) => !metricsServiceName(nameOf(service)) && !podDeclaresPorts && !placeholder(service),
    );
    return first && container.role === 'main' && routing
      ? {
          kind: 'serving',
          because: `Service ${nameOf(routing.service)} selects the pod, whose containers declare no ports`,
        }
      : { kind: 'not-serving', because: 'it declares no port' };
  }
  // TCP first: a finding about closed listeners and 502s names a port that has them (not a UDP one).
  const ordered = [...ports].sort((a, b) => Number(a.protocol === 'UDP') - Number(b.protocol === 'UDP'));
  const known = {
    proxyConfig: proxyConfigPorts(container.spec),
    monitoring: monitoringPorts(container.spec),
  };
  const evidence = ordered.map((port) => portEvidence(port, neighbours, known));
  const undeclared = first ? undeclaredTarget(neighbours, declaredPorts, sharedPod) : undefined;
  return (
    evidence.find((e) => e.kind === 'serving') ??
    undeclared ??
    evidence.find((e) => e.kind === 'unknown') ??
    evidence[0] ?? { kind: 'not-serving', because: 'it declares no port' }
  );
}

/**
 * A Service that selects the pod and routes to a port number no container declares: Kubernetes
 * routes it all the same (Istio's gateway declares only its metrics port, its LoadBalancer Service
 * sends 80 to 8080). It reaches whichever container listens there: taken as the pod's first main
 * container, unless another main container declares ports too (Kong's controller and proxy, the
 * Service of Kong Manager on a port neither declares), when it may be either: unknown.
 */
function undeclaredTarget(
  neighbours: ServingNeighbours,
  declared: readonly Port[],
  sharedPod: boolean,
): ServingEvidence | undefined {
  for (const front of neighbours.services) {
    if (placeholder(front.service) || metricsServiceName(nameOf(front.service))) continue;
    for (const servicePort of servicePorts(front.service)) {
      const target = servicePort.targetPort ?? servicePort.port;
      if (typeof target !== 'number' || target === 0 || declared.some((port) => port.port === target))
        continue;
      if (metricsPortName(getString(servicePort, ['name']))) continue;
      const route = `${describeRoute(front, servicePort, { port: target })}, which no container declares`;
      return sharedPod
        ? {
            kind: 'unknown',
            port: target,
            because: `if this container listens on port ${target}: ${route}, and another container of the pod declares ports too`,
          }
        : { kind: 'serving', because: `${route} (Kubernetes routes it all the same)` };
    }
  }
  return undefined;
}

/** Gateway API routes (HTTPRoute, GRPCRoute) with a backendRef to the Service, in its namespace. */
function routesTo(service: JsonObject, objectsOfKind: Neighbours['objectsOfKind']): JsonObject[] {
  const name = getString(service, ['metadata', 'name']);
  const namespace = namespaceOf(service);
  return ['HTTPRoute', 'GRPCRoute'].flatMap((kind) =>
    objectsOfKind(kind).filter((route) => {
      const rules = getIn(route, ['spec', 'rules']);
      return (Array.isArray(rules) ? rules : []).some((rule) => {
        const refs = getIn(rule, ['backendRefs']);
        return (Array.isArray(refs) ? refs : []).some(
          (ref) =>
            (getString(ref, ['kind']) ?? 'Service') === 'Service' &&
            getString(ref, ['name']) === name &&
            (getString(ref, ['namespace']) ?? namespaceOf(route)) === namespace,
        );
      });
    }),
  );
}

/** Every container of a workload with its evidence, from the workload's neighbours in the input. */
export function servingEvidenceOf(
  analysis: WorkloadAnalysis,
  podLabels: JsonObject,
  namespace: string,
  neighbours: Neighbours,
): ServingContainer[] {
  const named = (object: JsonObject) => `${getString(object, ['kind']) ?? ''} ${nameOf(object)}`;
  const services = neighbours.services.map((service): ServiceFront => {
    const fronts = [
      ...neighbours.ingresses
        .filter((ingress) => ingressBackendServices(ingress).includes(nameOf(service)))
        .map((ingress) => `Ingress ${nameOf(ingress)}`),
      ...routesTo(service, neighbours.objectsOfKind).map(named),
    ];
    // Reached from outside the cluster as well: more callers than the API server.
    const inCluster =
      fronts.length === 0 && (getString(service, ['spec', 'type']) ?? 'ClusterIP') === 'ClusterIP';
    const apiServer = inCluster ? apiServerCalls(service, neighbours.objectsOfKind) : undefined;
    const healthPolled = inCluster ? healthPolledOnly(service, neighbours.objectsOfKind) : undefined;
    return {
      service,
      fronts,
      ...(apiServer ? { apiServer } : {}),
      ...(healthPolled ? { healthPolled } : {}),
    };
  });
  const around: ServingNeighbours = {
    podLabels,
    namespace,
    services,
    serviceMonitors: neighbours.objectsOfKind('ServiceMonitor'),
    podMonitors: neighbours.objectsOfKind('PodMonitor'),
  };
  const declaredPorts = analysis.containers.flatMap((c) => containerPorts(c.container.spec));
  // Where no container declares a port, the Service reaches the app: the first main container that
  // is not a proxy the app sends through (a kustomize component may put cloud-sql-proxy first).
  const mains = analysis.containers.filter((c) => c.container.role === 'main');
  const firstMain = mains.find((c) => !neededSidecar(c.container.spec)) ?? mains[0];
  const withPorts = mains.filter((c) => containerPorts(c.container.spec).length > 0).length;
  return analysis.containers.map((container) => ({
    ...container,
    evidence: servingEvidence(
      analysis.kind,
      container.container,
      around,
      declaredPorts,
      container === firstMain,
      withPorts > 1,
    ),
  }));
}
