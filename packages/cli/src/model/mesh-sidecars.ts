/**
 * The mesh proxies injected beside the app, read from the pod template and its Namespace: Istio's
 * istio-proxy, Linkerd's linkerd-proxy and Dapr's daprd, and when each stops. The one reader for lint's rules and
 * plan (model/parties.ts). Sources: docs/rules.md (istio-sidecar-exits-first, linkerd-proxy-exits-first).
 */
import { parse } from 'yaml';
import { parseDurationSeconds } from './duration.js';
import { annotationPath, durationAt } from './front-of-pod.js';
import { getIn, getObject, getString, isObject, type JsonObject, type Path } from './json.js';
import type { PodTemplate } from './workloads.js';

/** Istio's default terminationDrainDuration (istio/api mesh/v1alpha1/proxy.proto). */
const DEFAULT_ISTIO_DRAIN_SECONDS = 5;

export interface IstioSidecar {
  /** Why the injector gives the pod a sidecar, in words. */
  readonly injectedBecause: string;
  /** The pod's `proxy.istio.io/config`, parsed ({} when absent or unreadable). */
  readonly proxyConfig: JsonObject;
  /** terminationDrainDuration: the proxy drains this long after its SIGTERM at t=0, then exits. */
  readonly drainSeconds: number;
  readonly drainSet: boolean;
  /** EXIT_ON_ZERO_ACTIVE_CONNECTIONS: the proxy waits for its connections to end instead. */
  readonly exitsOnZeroConnections: boolean;
}

function proxyConfig(annotations: JsonObject): JsonObject {
  const raw = getString(annotations, ['proxy.istio.io/config']);
  if (raw === undefined) return {};
  try {
    const parsed: unknown = parse(raw);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Whether Istio's injector gives the pod a sidecar, and why (istio.io "Installing the sidecar",
 * injection policy): the pod's `sidecar.istio.io/inject` label (or the older annotation) decides
 * when set; otherwise a namespace labelled `istio-injection: enabled` or `istio.io/rev`, or a
 * revision label on the pod. A `proxy.istio.io/config` annotation is written only for a sidecar.
 */
function injectedBecause(
  labels: JsonObject,
  annotations: JsonObject,
  namespace: JsonObject | undefined,
): string | undefined {
  const podChoice = labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
  if (podChoice === 'false') return undefined;
  if (podChoice === 'true') return 'sidecar.istio.io/inject: "true"';
  const namespaceLabels = getObject(namespace, ['metadata', 'labels']) ?? {};
  const name = getString(namespace, ['metadata', 'name']);
  if (namespaceLabels['istio-injection'] === 'enabled')
    return `namespace ${name} is labelled istio-injection: enabled`;
  if (namespaceLabels['istio-injection'] !== 'disabled' && namespaceLabels['istio.io/rev'] !== undefined)
    return `namespace ${name} is labelled istio.io/rev`;
  if (labels['istio.io/rev'] !== undefined) return 'the pod is labelled istio.io/rev';
  if (annotations['proxy.istio.io/config'] !== undefined) return 'the pod carries proxy.istio.io/config';
  return undefined;
}

/** The classic istio-proxy of a pod, when Istio injects one. */
export function istioSidecar(
  template: PodTemplate,
  namespace: JsonObject | undefined,
): IstioSidecar | undefined {
  const annotations = getObject(template.metadata, ['annotations']) ?? {};
  const labels = getObject(template.metadata, ['labels']) ?? {};
  const because = injectedBecause(labels, annotations, namespace);
  if (because === undefined) return undefined;
  const config = proxyConfig(annotations);
  const configured = getString(config, ['terminationDrainDuration']);
  const drain = configured === undefined ? undefined : parseDurationSeconds(configured);
  return {
    injectedBecause: because,
    proxyConfig: config,
    drainSeconds: drain ?? DEFAULT_ISTIO_DRAIN_SECONDS,
    drainSet: drain !== undefined,
    exitsOnZeroConnections: getIn(config, ['proxyMetadata', 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS']) === 'true',
  };
}

export const LINKERD_WAIT_ANNOTATION = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
const LINKERD_NATIVE_SIDECAR_ANNOTATIONS = [
  'config.alpha.linkerd.io/proxy-enable-native-sidecar',
  'config.beta.linkerd.io/proxy-enable-native-sidecar',
];

export interface LinkerdProxy {
  /** The proxy gets SIGTERM this long after t=0 (0 when unset). */
  readonly waitSeconds: number;
  readonly waitSet: boolean;
  /** Where the wait belongs on the pod template. */
  readonly waitPath: Path;
}

/**
 * The classic linkerd-proxy of a pod, when Linkerd injects one: `linkerd.io/inject: enabled` on the
 * pod template or its Namespace, and not a native sidecar (which the kubelet stops after the app).
 * Linkerd reads its annotations from the pod template first, then from the namespace.
 */
export function linkerdProxy(
  template: PodTemplate,
  namespace: JsonObject | undefined,
): LinkerdProxy | undefined {
  const scopes = [{ metadata: template.metadata }, ...(namespace ? [namespace] : [])];
  const setting = (key: string) => scopes.map((scope) => getString(scope, annotationPath(key))).find(Boolean);
  if (setting('linkerd.io/inject') !== 'enabled') return undefined;
  if (LINKERD_NATIVE_SIDECAR_ANNOTATIONS.some((key) => setting(key) === 'true')) return undefined;
  const wait = scopes
    .map((scope) => durationAt(scope, annotationPath(LINKERD_WAIT_ANNOTATION)))
    .find((v) => v !== undefined);
  return {
    waitSeconds: wait ?? 0,
    waitSet: wait !== undefined,
    waitPath: [...template.path, ...annotationPath(LINKERD_WAIT_ANNOTATION)],
  };
}

/**
 * A container Istio's injector completes at admission: `name: istio-proxy` with `image: auto` (the
 * gateway charts write it so). The injector fills in its image, readiness probe (on 15021) and
 * drain settings, which the manifest therefore does not show.
 */
export function istioCompletedProxy(container: JsonObject): boolean {
  return container.name === 'istio-proxy' && container.image === 'auto';
}

export const DAPR_BLOCK_ANNOTATION = 'dapr.io/block-shutdown-duration';

export interface DaprSidecar {
  /** How long daprd keeps its APIs after its SIGTERM at t=0 (dapr.io/block-shutdown-duration; 0 when unset). */
  readonly blockSeconds: number;
  /** Where the pod asks for the sidecar: the fix goes beside it. */
  readonly enabledPath: Path;
}

/**
 * Dapr's daprd, which the injector adds as an ordinary container when the pod template says
 * `dapr.io/enabled: "true"` (docs.dapr.io, "Dapr arguments and annotations"). At SIGTERM it closes
 * its subscriptions and API servers and exits within dapr.io/graceful-shutdown-seconds (5 s); from
 * Dapr 1.12, dapr.io/block-shutdown-duration holds that back until the app stops serving or the
 * duration ends.
 */
export function daprSidecar(template: PodTemplate): DaprSidecar | undefined {
  const enabled = getString(template.metadata, ['annotations', 'dapr.io/enabled']);
  if (enabled !== 'true') return undefined;
  return {
    blockSeconds: durationAt({ metadata: template.metadata }, annotationPath(DAPR_BLOCK_ANNOTATION)) ?? 0,
    enabledPath: [...template.path, ...annotationPath('dapr.io/enabled')],
  };
}
