/**
 * Which objects carry a pod template, where it sits, and which containers in it receive a stop signal.
 */

import { getIn, getObject, getString, isObject, type JsonObject, type Path } from './json.js';
import { enabledByDefault, FEATURES, type KubeVersion } from './kube-version.js';

export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'Rollout',
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return typeof kind === 'string' && (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** Where the pod template (metadata + spec) sits inside an object of each kind. A Pod is its own template. */
export function podTemplatePath(kind: WorkloadKind): Path {
  switch (kind) {
    case 'Pod':
      return [];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template'];
    default:
      return ['spec', 'template'];
  }
}

export type WorkloadType = 'http' | 'websocket' | 'batch' | 'stateful';
export const WORKLOAD_TYPES: readonly WorkloadType[] = ['http', 'websocket', 'batch', 'stateful'];

/** The guide's table keys on what the workload does; some kinds say it outright. */
export function impliedWorkloadType(kind: WorkloadKind): WorkloadType | undefined {
  if (kind === 'StatefulSet') return 'stateful';
  if (kind === 'Job' || kind === 'CronJob') return 'batch';
  return undefined;
}

export interface PodTemplate {
  /** Path of the template inside its object ([] for a Pod). */
  readonly path: Path;
  readonly metadata: JsonObject;
  readonly spec: JsonObject;
}

export type PodTemplateLookup =
  | { readonly found: true; readonly template: PodTemplate }
  | { readonly found: false; readonly problem: string; readonly path: Path };

export function findPodTemplate(object: JsonObject, kind: WorkloadKind): PodTemplateLookup {
  if (kind === 'Rollout' && getObject(object, ['spec', 'workloadRef'])) {
    const target = getString(object, ['spec', 'workloadRef', 'name']) ?? 'the referenced workload';
    return {
      found: false,
      path: ['spec', 'workloadRef'],
      problem: `Rollout uses spec.workloadRef and has no pod template of its own; plan ${target} instead`,
    };
  }
  const path = podTemplatePath(kind);
  const template = path.length === 0 ? object : getIn(object, path);
  const where = path.length === 0 ? 'spec' : `${path.join('.')}.spec`;
  if (!isObject(template) || !isObject(template.spec)) {
    return { found: false, path, problem: `${kind} has no ${where}` };
  }
  const containers = template.spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return { found: false, path: [...path, 'spec'], problem: `${kind} has no containers in ${where}` };
  }
  return {
    found: true,
    template: { path, metadata: isObject(template.metadata) ? template.metadata : {}, spec: template.spec },
  };
}

export type ContainerRole = 'main' | 'sidecar';

export interface ContainerView {
  readonly name: string;
  readonly role: ContainerRole;
  readonly list: 'containers' | 'initContainers';
  readonly index: number;
  /** Path of the container inside its object. */
  readonly path: Path;
  readonly spec: JsonObject;
}

/**
 * The containers that run while the pod serves and so receive a stop signal at deletion: every
 * entry of `containers`, plus native sidecars (`initContainers` with `restartPolicy: Always`).
 * Ordinary init containers have exited long before and are left out.
 */
export function terminatingContainers(template: PodTemplate): ContainerView[] {
  const views: ContainerView[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const entries = template.spec[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((spec: unknown, index) => {
      if (!isObject(spec)) return;
      const sidecar = list === 'initContainers';
      if (sidecar && spec.restartPolicy !== 'Always') return;
      views.push({
        name: typeof spec.name === 'string' ? spec.name : `${list}[${index}]`,
        role: sidecar ? 'sidecar' : 'main',
        list,
        index,
        path: [...template.path, 'spec', list, index],
        spec,
      });
    });
  }
  return views;
}

/** Whether the target version runs native sidecars as sidecars (on by default from beta). */
export function nativeSidecarsEnabled(version: KubeVersion): boolean {
  return enabledByDefault(FEATURES.sidecarContainers, version);
}

/** A container serves traffic when it declares a port: the endpoint controller routes to it. */
export function containerPorts(container: JsonObject): { name?: string; port: number; protocol?: string }[] {
  const ports = container.ports;
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((entry: unknown) => {
    if (!isObject(entry) || typeof entry.containerPort !== 'number') return [];
    return [
      {
        ...(typeof entry.name === 'string' ? { name: entry.name } : {}),
        port: entry.containerPort,
        ...(typeof entry.protocol === 'string' ? { protocol: entry.protocol } : {}),
      },
    ];
  });
}

/** The literal value of an environment variable the container sets (valueFrom is not known from the manifest). */
export function containerEnv(container: JsonObject, name: string): string | undefined {
  const env = container.env;
  const entry = Array.isArray(env) ? env.find((e) => isObject(e) && e.name === name) : undefined;
  return getString(entry, ['value']);
}
