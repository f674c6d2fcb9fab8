/**
 * Services that the input calls only to ask after their health: every mention of the Service's name
 * in the containers' environment, command and args and in ConfigMaps is a URL to a health path
 * (`http://payment-api/hc` in a status dashboard's settings). A worker that takes its work from a
 * queue and answers only health checks loses no request when it stops (eShopOnContainers' payment
 * API and ordering background tasks). One mention of any other kind (a gateway's cluster address,
 * `http://payment-api/api/v1/...`, the bare name) and nothing is concluded.
 */
import { configuredStrings, escaped } from './configured-strings.js';
import { getIn, type JsonObject } from './json.js';
import { type Neighbours, namespaceOf } from './neighbours.js';

/** `/hc`, `/health`, `/healthz`, `/liveness`, `/readyz`, `/ping`...: a path only health checks ask for. */
const HEALTH_PATH =
  /^\/(?:hc|health|healthz|healthcheck|health-check|liveness|readiness|livez|readyz|live|ready|ping)(?:[/?#]|$)/;

/**
 * Why only health checks call `service`, naming one of those URLs; undefined when nothing mentions
 * it, or anything mentions it otherwise.
 */
export function healthPolledOnly(
  service: JsonObject,
  objectsOfKind: Neighbours['objectsOfKind'],
): string | undefined {
  const name = getIn(service, ['metadata', 'name']);
  if (typeof name !== 'string' || name === '') return undefined;
  // The name as a host: not inside a longer name nor a path (`PATH_BASE: /payment-api`, though
  // `http://payment-api` is a host), with its namespace and domain, a port and a path.
  const mention = new RegExp(
    `(?<![\\w.-])(?<!(?<!/)/)${escaped(name)}(?:\\.${escaped(namespaceOf(service))})?(?:\\.svc(?:\\.[\\w-]+)*)?(?![\\w-])(?::\\d+)?(\\/[^\\s"',;]*)?`,
    'g',
  );
  let health: string | undefined;
  for (const text of configuredStrings(objectsOfKind)) {
    // Most strings do not name it: a substring test spares them the pattern (dashboards' JSON is large).
    if (!text.includes(name)) continue;
    for (const match of text.matchAll(mention)) {
      if (!HEALTH_PATH.test(match[1] ?? '')) return undefined;
      // The whole value when short (`http://payment-api/hc`), else what matched.
      health ??= text.length <= 120 ? text.trim() : match[0];
    }
  }
  return health === undefined
    ? undefined
    : `only health checks call Service ${name} in the input (${health}), and a missed one is no lost request`;
}
