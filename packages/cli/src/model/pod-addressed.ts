/**
 * StatefulSets whose clients name each pod: `gitserver-0.gitserver:3178` in a client's settings is
 * the pod's own DNS name under its headless Service, so a shard of the data lives on that pod and
 * no other pod can be sent its requests. Every pod is then a lone endpoint: a preStop only delays
 * its restart and a readiness probe has nothing to steer to (Sourcegraph's gitserver, searcher and
 * indexed-search).
 */
import { configuredStrings, escaped } from './configured-strings.js';
import { getString, type JsonObject } from './json.js';
import type { Neighbours } from './neighbours.js';

/** The first mention of one of the StatefulSet's pods by its own DNS name, or undefined. */
export function podAddressed(
  statefulSet: JsonObject,
  objectsOfKind: Neighbours['objectsOfKind'],
): string | undefined {
  const name = getString(statefulSet, ['metadata', 'name']);
  const service = getString(statefulSet, ['spec', 'serviceName']);
  if (!name || !service) return undefined;
  const pod = new RegExp(
    `(?<![\\w.-])${escaped(name)}-\\d+\\.${escaped(service)}(?![\\w-])(?:[.:][\\w.:-]*)?`,
  );
  const host = `${name}-`;
  for (const text of configuredStrings(objectsOfKind)) {
    if (!text.includes(host)) continue;
    const match = pod.exec(text);
    if (match) return match[0];
  }
  return undefined;
}
