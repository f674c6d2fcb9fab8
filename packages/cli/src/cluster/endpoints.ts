/**
 * EndpointSlice conditions and how each data plane picks from them. Sources:
 * staging/src/k8s.io/endpointslice/utils.go podToEndpoint (conditions), pkg/proxy/topology.go
 * CategorizeEndpoints (kube-proxy's fallback, KEP-1669), ingress-nginx
 * internal/ingress/controller/endpointslices.go (ready endpoints only).
 */

export interface Endpoint {
  readonly pod: string;
  readonly host: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

export interface PodEndpointInput {
  readonly pod: string;
  readonly host: string;
  readonly port: number;
  /** The pod's Ready condition, from its readiness probe. */
  readonly podReady: boolean;
  /** deletionTimestamp is set. */
  readonly terminating: boolean;
}

export function endpointOf(pod: PodEndpointInput, publishNotReadyAddresses = false): Endpoint {
  return {
    pod: pod.pod,
    host: pod.host,
    port: pod.port,
    serving: pod.podReady,
    terminating: pod.terminating,
    ready: publishNotReadyAddresses || (pod.podReady && !pod.terminating),
  };
}

export type DataPlaneKind = 'kube-proxy' | 'ingress';

/**
 * The endpoints a data plane may send a new connection or request to. kube-proxy falls back to
 * serving-terminating endpoints only when no endpoint is ready anywhere; ingress-nginx never does.
 */
export function routableEndpoints(endpoints: readonly Endpoint[], plane: DataPlaneKind): Endpoint[] {
  const ready = endpoints.filter((e) => e.ready);
  if (ready.length > 0 || plane === 'ingress') return ready;
  return endpoints.filter((e) => e.serving && e.terminating);
}

/** Endpoints whose routing-relevant conditions differ between two views, by pod. */
export function changedEndpoints(before: readonly Endpoint[], after: readonly Endpoint[]): string[] {
  const key = (e: Endpoint) => `${e.host}:${e.port}:${e.ready}:${e.serving}:${e.terminating}`;
  const was = new Map(before.map((e) => [e.pod, key(e)]));
  const is = new Map(after.map((e) => [e.pod, key(e)]));
  const pods = new Set([...was.keys(), ...is.keys()]);
  return [...pods].filter((pod) => was.get(pod) !== is.get(pod)).sort();
}
