/** Which pods a Service sends traffic to: the one answer lint, the lab, verify and collect share. */
import { getObject, type JsonObject } from './json.js';

/**
 * A Service selects a pod when every key of its selector matches the pod's labels; a Service with no
 * selector (its endpoints managed by hand) selects no pod.
 */
export function serviceSelects(service: JsonObject, podLabels: Readonly<Record<string, unknown>>): boolean {
  const selector = getObject(service, ['spec', 'selector']);
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => podLabels[key] === value);
}
