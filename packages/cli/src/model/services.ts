/** Which pods a Service sends traffic to: the one answer lint, the lab, verify and collect share. */
import { getIn, getObject, getString, type JsonObject } from './json.js';

/**
 * A Service selects a pod when every key of its selector matches the pod's labels; a Service with no
 * selector (its endpoints managed by hand) selects no pod.
 */
export function serviceSelects(service: JsonObject, podLabels: Readonly<Record<string, unknown>>): boolean {
  const selector = getObject(service, ['spec', 'selector']);
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => podLabels[key] === value);
}

/**
 * A label selector (matchLabels and matchExpressions, as Deployments and Prometheus Operator
 * monitors write it) matches labels; an empty selector matches everything.
 */
export function labelSelectorMatches(
  selector: JsonObject,
  labels: Readonly<Record<string, unknown>>,
): boolean {
  const matchLabels = getObject(selector, ['matchLabels']) ?? {};
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  const expressions = getIn(selector, ['matchExpressions']);
  return (Array.isArray(expressions) ? expressions : []).every((expression) => {
    const key = getString(expression, ['key']) ?? '';
    const values = getIn(expression, ['values']);
    const listed = Array.isArray(values) && values.includes(labels[key]);
    switch (getString(expression, ['operator'])) {
      case 'In':
        return listed;
      case 'NotIn':
        return !listed;
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
}

/** `clusterIP: None`: no virtual IP and no kube-proxy rules; DNS answers with the pods' own addresses. */
export function headless(service: JsonObject): boolean {
  return getString(service, ['spec', 'clusterIP']) === 'None';
}

/**
 * A headless Service that lists pods before they are ready and while they terminate: the way
 * Kubernetes documents peer discovery (a StatefulSet's members, a memberlist gossip ring, workers
 * dialling every frontend). Peers find each other through it; it routes no client's requests.
 */
export function peerDiscovery(service: JsonObject): boolean {
  return headless(service) && getIn(service, ['spec', 'publishNotReadyAddresses']) === true;
}
