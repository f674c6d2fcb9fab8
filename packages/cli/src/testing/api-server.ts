/**
 * A Kubernetes-API-compatible server over the lab's emulated cluster, so `verify` and `collect`
 * run their real code path (kubeconfig, list, watch, patch) against moving state with no cluster.
 *
 * It serves what those commands read: /version, nodes, the workload (with status computed from its
 * pods), pods, Services, EndpointSlices (conditions from the endpoint model), events (Killing,
 * FailedPreStopHook, Unhealthy) and ingress classes; list and watch with resourceVersions, label
 * and field selectors of the form `a=b`. A restart patch on the workload starts a rolling restart.
 *
 * Faults for tests: `forbid` (an RBAC 403), `dropWatches` (streams cut), `compact` (watches from an
 * old resourceVersion get 410 Gone, as after etcd compaction), and a paused workload as given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { objectKey, rbacOf } from '../kube/api.js';
import { rfc3339Seconds as rfc3339 } from '../kube/restart.js';
import type { EmulatedCluster } from '../lab/cluster.js';
import type { Pod } from '../lab/pod.js';
import { getObject, getString, isObject, type JsonObject } from '../model/json.js';
import type { EventLog, LifecycleEvent } from '../recording/records.js';

export interface ApiServerOptions {
  readonly cluster: EmulatedCluster;
  readonly log: EventLog;
  readonly namespace: string;
  /** The workload as applied (a Deployment); its status is computed. */
  readonly workload: JsonObject;
  readonly services: readonly JsonObject[];
  readonly nodes?: number;
  readonly version?: { readonly major: number; readonly minor: number };
  /** When set, requests without `Authorization: Bearer <token>` get 401, as a real API server's. */
  readonly token?: string;
}

interface StoredEvent {
  readonly rv: number;
  readonly plural: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: JsonObject;
}

interface Watcher {
  readonly plural: string;
  readonly namespace: string | undefined;
  readonly matches: (object: JsonObject) => boolean;
  readonly response: http.ServerResponse;
}

const PLURALS: Record<string, string> = {
  '/api/v1/pods': 'pods',
  '/api/v1/services': 'services',
  '/api/v1/events': 'events',
  '/api/v1/nodes': 'nodes',
  '/apis/apps/v1/deployments': 'deployments',
  '/apis/discovery.k8s.io/v1/endpointslices': 'endpointslices',
  '/apis/networking.k8s.io/v1/ingressclasses': 'ingressclasses',
};

export class LabApiServer {
  /** Every write that reached the server: the tests assert verify makes only the restart patch. */
  readonly writes: {
    method: string;
    path: string;
    contentType: string;
    body: JsonObject;
    dryRun: boolean;
  }[] = [];
  private readonly server = http.createServer((request, response) => {
    void this.handle(request, response).catch((error: unknown) => {
      this.status(response, 500, 'InternalError', String(error));
    });
  });
  private resourceVersion = 1;
  private readonly store = new Map<string, Map<string, JsonObject>>();
  private readonly history: StoredEvent[] = [];
  private compactedBelow = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly forbidden = new Set<string>();
  private workload: JsonObject;
  private generation = 1;
  private readonly kubeletEvents: JsonObject[] = [];
  private readonly deletionTimes = new Map<string, string>();
  private readonly containerTimes = new Map<string, { startedAt: string; finishedAt?: string }>();
  private ticker: NodeJS.Timeout | undefined;

  private readonly version: { readonly major: number; readonly minor: number };

  constructor(private readonly options: ApiServerOptions) {
    this.version = options.version ?? { major: 1, minor: 31 };
    this.workload = structuredClone(options.workload);
    options.log.onEvent((event) => {
      this.noteEvent(event);
      this.sync();
    });
  }

  async listen(): Promise<string> {
    this.sync();
    // Availability changes with time (minReadySeconds), not only with events.
    this.ticker = setInterval(() => this.sync(), 200);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answer 403 to this verb on this resource, as RBAC names them ("list", "pods"). */
  forbid(verb: string, resource: string): void {
    this.forbidden.add(`${verb} ${resource}`);
  }

  /** Cut every open watch stream, as a load balancer or an API server restart does. */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.response.socket?.destroy();
    this.watchers.clear();
  }

  /** Forget history: a watch from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.compactedBelow = this.resourceVersion;
    this.history.length = 0;
  }

  // --- the objects, computed from the emulated cluster ---

  private noteEvent(event: LifecycleEvent): void {
    if (!event.pod) return;
    if (event.type === 'container-started')
      this.containerTimes.set(event.pod, { startedAt: rfc3339(new Date()) });
    if (event.type === 'exit') {
      const started = this.containerTimes.get(event.pod);
      this.containerTimes.set(event.pod, {
        startedAt: started?.startedAt ?? rfc3339(new Date()),
        finishedAt: rfc3339(new Date()),
      });
    }
    if (event.type === 'terminating') {
      // The API server sets deletionTimestamp to the request time plus the grace period.
      this.deletionTimes.set(event.pod, rfc3339(new Date(Date.now() + this.graceSeconds() * 1000)));
      this.kubeletEvent(event.pod, 'Normal', 'Killing', `Stopping container ${this.containerName()}`);
    } else if (event.type === 'failed-prestop-hook') {
      this.kubeletEvent(
        event.pod,
        'Warning',
        'FailedPreStopHook',
        `PreStopHook failed: ${event.detail ?? ''}`,
      );
    } else if (event.type === 'liveness-failed') {
      this.kubeletEvent(event.pod, 'Warning', 'Unhealthy', `Liveness probe failed: ${event.detail ?? ''}`);
    }
  }

  private kubeletEvent(pod: string, type: string, reason: string, message: string): void {
    const now = rfc3339(new Date());
    this.kubeletEvents.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod}.${this.kubeletEvents.length}`, namespace: this.options.namespace },
      involvedObject: { kind: 'Pod', name: pod, namespace: this.options.namespace },
      type,
      reason,
      message,
      source: { component: 'kubelet' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }

  private containerName(): string {
    const containers = getObject(this.workload, ['spec', 'template', 'spec'])?.containers;
    return Array.isArray(containers) ? (getString(containers[0], ['name']) ?? 'app') : 'app';
  }

  private desired(): Map<string, JsonObject[]> {
    const { cluster, namespace } = this.options;
    const pods = cluster.livePods();
    const template = getObject(this.workload, ['spec', 'template']) ?? {};
    const labels = getObject(template, ['metadata', 'labels']) ?? {};
    const active = pods.filter((p) => !p.terminating);
    const updated = active.filter((p) => p.revision === cluster.revision);
    const status = {
      observedGeneration: this.generation,
      replicas: active.length,
      updatedReplicas: updated.length,
      readyReplicas: active.filter((p) => p.ready).length,
      availableReplicas: updated.filter((p) => p.ready).length,
    };
    const workload = {
      ...this.workload,
      metadata: { ...getObject(this.workload, ['metadata']), namespace, generation: this.generation },
      status,
    };
    const services = this.options.services.map((service) => ({
      ...service,
      metadata: { ...getObject(service, ['metadata']), namespace },
    }));
    const endpoints = cluster.endpoints();
    const slices = services.map((service) => {
      const name = getString(service, ['metadata', 'name']) ?? 'service';
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-lab`, namespace, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: endpoints.map((endpoint) => ({
          addresses: [endpoint.host],
          conditions: { ready: endpoint.ready, serving: endpoint.serving, terminating: endpoint.terminating },
          targetRef: { kind: 'Pod', name: endpoint.pod, namespace },
        })),
        ports: [{ port: endpoints[0]?.port ?? 0 }],
      };
    });
    const nodes = Array.from({ length: this.options.nodes ?? 1 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `lab-node-${i + 1}` },
      status: { nodeInfo: { kubeletVersion: this.gitVersion(), containerRuntimeVersion: 'lab://1.0' } },
    }));
    return new Map<string, JsonObject[]>([
      ['deployments', [workload]],
      ['pods', pods.map((pod) => this.podObject(pod, template, labels))],
      ['services', services],
      ['endpointslices', slices],
      ['events', this.kubeletEvents],
      ['nodes', nodes],
      ['ingressclasses', []],
    ]);
  }

  private podObject(pod: Pod, template: JsonObject, labels: JsonObject): JsonObject {
    const { namespace } = this.options;
    const deletion = this.deletionTimes.get(pod.name);
    const container = this.containerName();
    const running = pod.container?.running === true;
    const exit = pod.lastExit;
    const times = this.containerTimes.get(pod.name);
    const state = running
      ? { running: { startedAt: times?.startedAt } }
      : exit
        ? {
            terminated: {
              exitCode: exit.exitCode,
              reason: exit.exitCode === 0 ? 'Completed' : 'Error',
              startedAt: times?.startedAt,
              finishedAt: times?.finishedAt,
            },
          }
        : { waiting: { reason: 'ContainerCreating' } };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace,
        labels: { ...labels, 'pod-template-hash': `r${pod.revision}` },
        ...(deletion ? { deletionTimestamp: deletion, deletionGracePeriodSeconds: this.graceSeconds() } : {}),
      },
      spec: { ...getObject(template, ['spec']), nodeName: 'lab-node-1' },
      status: {
        phase: running ? 'Running' : exit ? (exit.exitCode === 0 ? 'Succeeded' : 'Failed') : 'Pending',
        conditions: [{ type: 'Ready', status: pod.ready ? 'True' : 'False' }],
        containerStatuses: [{ name: container, ready: pod.ready, restartCount: pod.restarts, state }],
      },
    };
  }

  private graceSeconds(): number {
    return this.options.cluster.spec.graceSeconds;
  }

  private gitVersion(): string {
    return `v${this.version.major}.${this.version.minor}.0-lab`;
  }

  /** Brings the store in line with the cluster; every difference becomes a watch event. */
  private sync(): void {
    for (const [plural, objects] of this.desired()) {
      const stored = this.store.get(plural) ?? new Map<string, JsonObject>();
      this.store.set(plural, stored);
      const seen = new Set<string>();
      for (const object of objects) {
        const key = objectKey(object);
        seen.add(key);
        const previous = stored.get(key);
        if (previous && sameContent(previous, object)) continue;
        this.put(plural, previous ? 'MODIFIED' : 'ADDED', object, stored);
      }
      for (const [key, previous] of [...stored]) {
        if (!seen.has(key)) this.put(plural, 'DELETED', previous, stored);
      }
    }
  }

  private put(
    plural: string,
    type: StoredEvent['type'],
    object: JsonObject,
    stored: Map<string, JsonObject>,
  ): void {
    const rv = ++this.resourceVersion;
    const versioned = {
      ...object,
      metadata: { ...getObject(object, ['metadata']), resourceVersion: String(rv) },
    };
    if (type === 'DELETED') stored.delete(objectKey(object));
    else stored.set(objectKey(object), versioned);
    const event: StoredEvent = { rv, plural, type, object: versioned };
    this.history.push(event);
    for (const watcher of this.watchers) this.send(watcher, event);
  }

  private send(watcher: Watcher, event: StoredEvent): void {
    if (event.plural !== watcher.plural) return;
    if (watcher.namespace && getString(event.object, ['metadata', 'namespace']) !== watcher.namespace) return;
    if (!watcher.matches(event.object)) return;
    watcher.response.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  }

  // --- HTTP ---

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://lab');
    const query = Object.fromEntries(url.searchParams);
    if (
      this.options.token !== undefined &&
      request.headers.authorization !== `Bearer ${this.options.token}`
    ) {
      this.status(response, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const { verb, resource } = rbacOf(request.method ?? 'GET', url.pathname, query);
    if (this.forbidden.has(`${verb} ${resource}`)) {
      const group = resource.includes('.') ? resource.slice(resource.indexOf('.') + 1) : '';
      const namespace = /\/namespaces\/([^/]+)/.exec(url.pathname)?.[1];
      this.status(
        response,
        403,
        'Forbidden',
        `${resource} is forbidden: User "lab-user" cannot ${verb} resource "${resource.split('.')[0]}" in API group "${group}"${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
      );
      return;
    }
    if (url.pathname === '/version') {
      this.json(response, 200, {
        major: String(this.version.major),
        minor: String(this.version.minor),
        gitVersion: this.gitVersion(),
      });
      return;
    }
    const parsed = parsePath(url.pathname);
    if (!parsed) {
      this.status(
        response,
        404,
        'NotFound',
        `the server could not find the requested resource (${url.pathname})`,
      );
      return;
    }
    const { plural, namespace, name } = parsed;
    if (request.method === 'PATCH') {
      await this.patch(request, response, plural, name, query.dryRun === 'All');
      return;
    }
    const matches = selectorMatcher(query.labelSelector, query.fieldSelector);
    const inNamespace = (object: JsonObject) =>
      namespace === undefined || getString(object, ['metadata', 'namespace']) === namespace;
    const objects = [...(this.store.get(plural)?.values() ?? [])].filter(
      (object) => inNamespace(object) && matches(object),
    );
    if (name !== undefined) {
      const found = objects.find((object) => getString(object, ['metadata', 'name']) === name);
      if (found) this.json(response, 200, found);
      else this.status(response, 404, 'NotFound', `${plural} "${name}" not found`);
      return;
    }
    if (query.watch === 'true' || query.watch === '1') {
      this.watch(response, plural, namespace, matches, query);
      return;
    }
    this.json(response, 200, {
      kind: 'List',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.resourceVersion) },
      items: objects,
    });
  }

  private watch(
    response: http.ServerResponse,
    plural: string,
    namespace: string | undefined,
    matches: (object: JsonObject) => boolean,
    query: Record<string, string>,
  ): void {
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const from = Number(query.resourceVersion ?? this.resourceVersion);
    if (from < this.compactedBelow) {
      response.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `too old resource version: ${from} (${this.compactedBelow})`, reason: 'Expired', code: 410 } })}\n`,
      );
      return;
    }
    const watcher: Watcher = { plural, namespace, matches, response };
    for (const event of this.history) if (event.rv > from) this.send(watcher, event);
    this.watchers.add(watcher);
    const timeout = Number(query.timeoutSeconds ?? 0);
    const timer = timeout > 0 ? setTimeout(() => response.end(), timeout * 1000) : undefined;
    response.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  private async patch(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    plural: string,
    name: string | undefined,
    dryRun: boolean,
  ): Promise<void> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const body: unknown = JSON.parse(text);
    const workloadName = getString(this.workload, ['metadata', 'name']);
    if (plural !== 'deployments' || name !== workloadName || !isObject(body)) {
      this.status(response, 404, 'NotFound', `${plural} "${name}" not found`);
      return;
    }
    this.writes.push({
      method: 'PATCH',
      path: request.url ?? '',
      contentType: request.headers['content-type'] ?? '',
      body,
      dryRun,
    });
    const merged = mergePatch(this.workload, body);
    if (!dryRun) {
      const templateChanged = JSON.stringify(merged.spec) !== JSON.stringify(this.workload.spec);
      this.workload = merged;
      if (templateChanged) {
        this.generation++;
        if (getObject(merged, ['spec'])?.paused !== true) this.options.cluster.restart();
      }
      this.sync();
    }
    this.json(response, 200, (this.store.get('deployments')?.values().next().value as JsonObject) ?? merged);
  }

  private json(response: http.ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  private status(response: http.ServerResponse, code: number, reason: string, message: string): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    this.json(response, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
  }
}

function sameContent(stored: JsonObject, next: JsonObject): boolean {
  const { resourceVersion: _, ...metadata } = getObject(stored, ['metadata']) ?? {};
  return JSON.stringify({ ...stored, metadata }) === JSON.stringify(next);
}

/** /api/v1/namespaces/NS/pods/NAME and friends, to the resource's plural, namespace and name. */
function parsePath(path: string): { plural: string; namespace?: string; name?: string } | undefined {
  const match = /^(\/apis?(?:\/[^/]+)?\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!match) return undefined;
  const [, prefix, namespace, resource, name] = match;
  const plural = PLURALS[`${prefix}/${resource}`];
  if (!plural) return undefined;
  return {
    plural,
    ...(namespace === undefined ? {} : { namespace: decodeURIComponent(namespace) }),
    ...(name === undefined ? {} : { name: decodeURIComponent(name) }),
  };
}

/** `a=b,c=d` label selectors and `x.y=z` field selectors: what verify and collect send. */
function selectorMatcher(
  labels: string | undefined,
  fields: string | undefined,
): (object: JsonObject) => boolean {
  const terms = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .filter(Boolean)
      .map((term) => term.split('=') as [string, string]);
  const labelTerms = terms(labels);
  const fieldTerms = terms(fields);
  return (object) =>
    labelTerms.every(([key, value]) => getObject(object, ['metadata', 'labels'])?.[key] === value) &&
    fieldTerms.every(([path, value]) => {
      const found = path
        .split('.')
        .reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), object);
      return found === value;
    });
}

/** JSON merge patch (RFC 7386); for the maps a restart patch touches, strategic merge is the same. */
function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isObject(value) && isObject(result[key]))
      result[key] = mergePatch(result[key] as JsonObject, value);
    else result[key] = value;
  }
  return result;
}
