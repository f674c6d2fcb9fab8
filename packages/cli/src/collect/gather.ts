/**
 * Everything the guide's "When to escalate" section asks for, read through the ClusterApi. Each
 * piece is read on its own: a 403 on nodes or on other namespaces becomes a note in the bundle, not
 * a failed collection. Only the workload itself must be readable.
 */

import { type ClusterApi, ClusterError, listItems } from '../kube/api.js';
import { selectorQuery } from '../kube/restart.js';
import { refName, type WorkloadRef, workloadPath } from '../kube/workload-ref.js';
import { DEFAULT_GRACE_SECONDS, specGraceSeconds } from '../model/grace.js';
import { getIn, getNumber, getObject, getString, type JsonObject } from '../model/json.js';
import { classifyPreStop, describeHook } from '../model/prestop.js';
import { serviceSelects } from '../model/services.js';
import { redact } from './redact.js';

export interface ContainerTermination {
  readonly name: string;
  readonly image: string | undefined;
  readonly preStop: string;
  readonly readinessProbe: boolean;
  readonly livenessProbe: boolean;
  readonly startupProbe: boolean;
  readonly stopSignal: string | undefined;
}

export interface PodEvidence {
  readonly name: string;
  readonly phase: string | undefined;
  readonly deletionTimestamp: string | undefined;
  readonly containers: readonly {
    readonly name: string;
    readonly restartCount: number;
    readonly lastExitCode: number | undefined;
    readonly lastReason: string | undefined;
  }[];
}

export interface Evidence {
  readonly collectedAt: string;
  readonly namespace: string;
  readonly workloadName: string;
  readonly server: { readonly gitVersion: string | undefined; readonly address: string };
  readonly nodes: { readonly count: number | undefined; readonly kubeletVersions: readonly string[] };
  readonly ingress: {
    readonly classes: readonly { readonly name: string; readonly controller: string | undefined }[];
    readonly controllers: readonly {
      readonly kind: string;
      readonly namespace: string;
      readonly name: string;
      readonly image: string;
    }[];
  };
  readonly mesh: readonly { readonly pod: string; readonly container: string; readonly image: string }[];
  readonly graceSeconds: number;
  readonly containers: readonly ContainerTermination[];
  readonly pods: readonly PodEvidence[];
  readonly events: readonly {
    readonly pod: string;
    readonly reason: string;
    readonly message: string;
    readonly count: number;
    readonly last: string | undefined;
  }[];
  readonly services: readonly string[];
  /** Redacted objects, as read: the bundle's raw JSON and the input to lint. */
  readonly objects: {
    readonly workload: JsonObject;
    readonly services: readonly JsonObject[];
    readonly endpointSlices: readonly JsonObject[];
  };
  /** What could not be read, and why. */
  readonly notes: readonly string[];
}

/** Ingress controllers and meshes by their images, as their charts ship them. */
const CONTROLLER_IMAGES: readonly [RegExp, string][] = [
  [/ingress-nginx\/controller/, 'ingress-nginx'],
  [/nginx\/nginx-ingress|nginx-ingress-controller/, 'NGINX Ingress Controller'],
  [/traefik/, 'Traefik'],
  [/haproxy.*ingress/, 'HAProxy Ingress'],
  [/contour/, 'Contour'],
  [/envoyproxy\/gateway/, 'Envoy Gateway'],
  [/kong/, 'Kong'],
  [/aws-load-balancer-controller/, 'AWS Load Balancer Controller'],
  [/istio\/pilot/, 'istiod'],
  [/linkerd.*(controller|destination)/, 'Linkerd control plane'],
];
const MESH_CONTAINERS = new Set(['istio-proxy', 'linkerd-proxy']);
const TERMINATION_EVENTS = new Set([
  'Killing',
  'FailedPreStopHook',
  'Unhealthy',
  'BackOff',
  'FailedKillPod',
  'Evicted',
  'Preempting',
]);

export async function gatherEvidence(
  api: ClusterApi,
  ref: WorkloadRef,
  namespace: string,
): Promise<Evidence> {
  const notes: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      notes.push(`${what}: ${error.message}`);
      return fallback;
    }
  };
  const ns = encodeURIComponent(namespace);
  const workload = await api.get(workloadPath(ref, namespace));
  const template = getObject(workload, ['spec', 'template']) ?? {};
  const labels = getObject(template, ['metadata', 'labels']) ?? {};
  const selector = selectorQuery(workload);

  const version = await attempt('server version', () => api.get('/version'), {} as JsonObject);
  const nodes = await attempt('nodes', async () => listItems(await api.get('/api/v1/nodes')), undefined);
  const classes = await attempt(
    'ingress classes',
    async () => listItems(await api.get('/apis/networking.k8s.io/v1/ingressclasses')),
    [],
  );
  const deployments = await attempt(
    'ingress controllers (deployments in all namespaces)',
    async () => listItems(await api.get('/apis/apps/v1/deployments')),
    [],
  );
  const pods = await attempt(
    'pods',
    async () =>
      listItems(await api.get(`/api/v1/namespaces/${ns}/pods`, selector ? { labelSelector: selector } : {})),
    [],
  );
  const podNames = new Set(pods.map((p) => getString(p, ['metadata', 'name'])));
  const events = await attempt(
    'events',
    async () =>
      listItems(
        await api.get(`/api/v1/namespaces/${ns}/events`, { fieldSelector: 'involvedObject.kind=Pod' }),
      ),
    [],
  );
  const services = (
    await attempt('services', async () => listItems(await api.get(`/api/v1/namespaces/${ns}/services`)), [])
  ).filter((service) => serviceSelects(service, labels));
  const slices: JsonObject[] = [];
  for (const service of services) {
    const name = getString(service, ['metadata', 'name']) ?? '';
    slices.push(
      ...(await attempt(
        `endpointslices of ${name}`,
        async () =>
          listItems(
            await api.get(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
              labelSelector: `kubernetes.io/service-name=${name}`,
            }),
          ),
        [],
      )),
    );
  }

  const containers = (getIn(template, ['spec', 'containers']) as JsonObject[] | undefined) ?? [];
  return {
    collectedAt: new Date().toISOString(),
    namespace,
    workloadName: refName(ref),
    server: { gitVersion: getString(version, ['gitVersion']), address: api.server },
    nodes: {
      count: nodes?.length,
      kubeletVersions: [
        ...new Set((nodes ?? []).map((n) => getString(n, ['status', 'nodeInfo', 'kubeletVersion']) ?? '?')),
      ],
    },
    ingress: {
      classes: classes.map((c) => ({
        name: getString(c, ['metadata', 'name']) ?? '?',
        controller: getString(c, ['spec', 'controller']),
      })),
      controllers: deployments.flatMap((d) => {
        const images = (
          (getIn(d, ['spec', 'template', 'spec', 'containers']) as JsonObject[] | undefined) ?? []
        ).map((c) => getString(c, ['image']) ?? '');
        const found = CONTROLLER_IMAGES.find(([pattern]) => images.some((image) => pattern.test(image)));
        if (!found) return [];
        const image = images.find((i) => found[0].test(i)) ?? '';
        return [
          {
            kind: found[1],
            namespace: getString(d, ['metadata', 'namespace']) ?? '',
            name: getString(d, ['metadata', 'name']) ?? '',
            image,
          },
        ];
      }),
    },
    mesh: pods.flatMap((pod) =>
      [
        ...((getIn(pod, ['spec', 'containers']) as JsonObject[] | undefined) ?? []),
        ...((getIn(pod, ['spec', 'initContainers']) as JsonObject[] | undefined) ?? []),
      ]
        .filter((c) => MESH_CONTAINERS.has(getString(c, ['name']) ?? ''))
        .map((c) => ({
          pod: getString(pod, ['metadata', 'name']) ?? '',
          container: getString(c, ['name']) ?? '',
          image: getString(c, ['image']) ?? '',
        })),
    ),
    // As the API server stores it (defaulted, not floored): the field the summary names.
    graceSeconds: specGraceSeconds(getObject(template, ['spec'])) ?? DEFAULT_GRACE_SECONDS,
    containers: containers.map((c) => ({
      name: getString(c, ['name']) ?? '?',
      image: getString(c, ['image']),
      preStop: describeHook(classifyPreStop(c)),
      readinessProbe: getObject(c, ['readinessProbe']) !== undefined,
      livenessProbe: getObject(c, ['livenessProbe']) !== undefined,
      startupProbe: getObject(c, ['startupProbe']) !== undefined,
      stopSignal: getString(c, ['lifecycle', 'stopSignal']),
    })),
    pods: pods.map((pod) => ({
      name: getString(pod, ['metadata', 'name']) ?? '',
      phase: getString(pod, ['status', 'phase']),
      deletionTimestamp: getString(pod, ['metadata', 'deletionTimestamp']),
      containers: ((getIn(pod, ['status', 'containerStatuses']) as JsonObject[] | undefined) ?? []).map(
        (s) => ({
          name: getString(s, ['name']) ?? '',
          restartCount: getNumber(s, ['restartCount']) ?? 0,
          lastExitCode:
            getNumber(s, ['lastState', 'terminated', 'exitCode']) ??
            getNumber(s, ['state', 'terminated', 'exitCode']),
          lastReason:
            getString(s, ['lastState', 'terminated', 'reason']) ??
            getString(s, ['state', 'terminated', 'reason']),
        }),
      ),
    })),
    events: events
      .filter((e) => TERMINATION_EVENTS.has(getString(e, ['reason']) ?? ''))
      .filter((e) => {
        // Recently terminated pods are gone; keep events of this workload's pods, by name prefix.
        const pod = getString(e, ['involvedObject', 'name']) ?? '';
        return podNames.has(pod) || pod.startsWith(`${ref.name}-`);
      })
      .map((e) => ({
        pod: getString(e, ['involvedObject', 'name']) ?? '',
        reason: getString(e, ['reason']) ?? '',
        message: String(redact(getString(e, ['message']) ?? '')),
        count: getNumber(e, ['count']) ?? 1,
        last: getString(e, ['lastTimestamp']) ?? getString(e, ['eventTime']),
      })),
    services: services.map((s) => getString(s, ['metadata', 'name']) ?? ''),
    objects: {
      workload: redact(workload) as JsonObject,
      services: services.map((s) => redact(s) as JsonObject),
      endpointSlices: slices.map((s) => redact(s) as JsonObject),
    },
    notes,
  };
}
